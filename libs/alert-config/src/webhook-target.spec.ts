import type { LookupAddress } from 'node:dns';
import { nonPublicAddress } from './private-address.js';
import { publicOnlyLookup, webhookTargetProblem, NonPublicAddressError, type ResolveAll } from './webhook-target.js';

// Documentation addresses (RFC 5737, RFC 3849) stand in for public ones: nothing here connects anywhere.
const PUBLIC_V4 = '203.0.113.7';
const PUBLIC_V6 = '2001:db8::7';

describe('addresses a webhook may not reach', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.1.2.3', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['fc00::1', 'unique local'],
    ['fdab::1', 'unique local'],
    ['169.254.169.254', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.254', 'carrier-grade NAT'],
    ['0.0.0.0', 'this network'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
  ])('refuses %s (%s)', (address, kind) => {
    expect(nonPublicAddress(address)).toContain(kind);
  });

  it.each([PUBLIC_V4, PUBLIC_V6, '8.8.8.8', '172.32.0.1', '100.128.0.1', '11.0.0.1', '2606:4700::1111'])(
    'lets %s through',
    (address) => {
      expect(nonPublicAddress(address)).toBeUndefined();
    },
  );

  it('refuses what is not an IP address', () => {
    expect(nonPublicAddress('localhost')).toBe('not an IP address');
  });
});

const answers = (...addresses: string[]): LookupAddress[] =>
  addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('checking a webhook URL when it is created', () => {
  it('refuses an IP literal on a non-public address without resolving anything', async () => {
    const resolve: ResolveAll = async () => {
      throw new Error('must not resolve an IP literal');
    };
    expect(await webhookTargetProblem('http://169.254.169.254/latest/meta-data/', resolve)).toMatch(
      /169\.254\.169\.254, a link-local or cloud metadata address/,
    );
    expect(await webhookTargetProblem('http://[::1]:8080/', resolve)).toMatch(/::1, a loopback address/);
    expect(await webhookTargetProblem(`https://${PUBLIC_V4}/hook`, resolve)).toBeUndefined();
  });

  it('refuses a name if any of its addresses is not public, and one that does not resolve', async () => {
    expect(await webhookTargetProblem('https://hooks.example/x', async () => answers(PUBLIC_V4, '127.0.0.1'))).toMatch(
      /resolves to 127\.0\.0\.1, a loopback address/,
    );
    expect(
      await webhookTargetProblem('https://hooks.example/x', async () => answers(PUBLIC_V4, PUBLIC_V6)),
    ).toBeUndefined();
    expect(await webhookTargetProblem('https://hooks.example/x', async () => [])).toMatch(/does not resolve/);
    expect(
      await webhookTargetProblem('https://hooks.example/x', async () =>
        Promise.reject(Object.assign(new Error('nope'), { code: 'ENOTFOUND' })),
      ),
    ).toMatch(/ENOTFOUND/);
  });

  it('resolves localhost to loopback and refuses it', async () => {
    expect(await webhookTargetProblem('http://localhost:16379/')).toMatch(/loopback/);
  });
});

describe('the lookup a delivery connects through', () => {
  const lookupOnce = (resolve: ResolveAll, options: { all?: boolean; family?: number }) =>
    new Promise<{ err: Error | null; address: unknown; family?: number }>((done) =>
      publicOnlyLookup(resolve)('hooks.example', options, (err, address, family) => done({ err, address, family })),
    );

  it('refuses the connection when the name now resolves to loopback, though it was public when the webhook was created', async () => {
    let calls = 0;
    const rebinding: ResolveAll = async () => (++calls === 1 ? answers(PUBLIC_V4) : answers('127.0.0.1'));
    expect(await webhookTargetProblem('https://hooks.example/x', rebinding)).toBeUndefined();
    const { err } = await lookupOnce(rebinding, {});
    expect(err).toBeInstanceOf(NonPublicAddressError);
    expect(err?.message).toMatch(/resolved to 127\.0\.0\.1/);
  });

  it('hands the socket the public addresses it asked for, one or all', async () => {
    const resolve: ResolveAll = async () => answers(PUBLIC_V4, PUBLIC_V6);
    expect(await lookupOnce(resolve, {})).toEqual({ err: null, address: PUBLIC_V4, family: 4 });
    expect(await lookupOnce(resolve, { family: 6 })).toEqual({ err: null, address: PUBLIC_V6, family: 6 });
    expect(await lookupOnce(resolve, { all: true })).toEqual({
      err: null,
      address: answers(PUBLIC_V4, PUBLIC_V6),
      family: undefined,
    });
  });
});
