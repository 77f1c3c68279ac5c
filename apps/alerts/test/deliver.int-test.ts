import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlertMessage } from '@citypulse/contracts';
import type { Webhook } from '@citypulse/alert-config';
import { deliver } from '../src/notifications/deliver.js';

/**
 * Delivery refuses loopback and private receivers on the address it would connect to — an IP
 * literal, or a name after DNS resolution — unless CP_WEBHOOK_ALLOW_PRIVATE allows them; then the
 * same receiver gets the signed POST. A real receiver on 127.0.0.1 counts what reached it.
 */
let receiver: Server;
let port: number;
const received: IncomingMessage[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    received.push(req);
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  port = (receiver.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => receiver.close(resolve));
});

const message = {
  event: { id: 'e1', kind: 'raised', at: new Date().toISOString(), actor: 'rule' },
  alert: { id: 'a1' },
} as unknown as AlertMessage;
const hook = (url: string): Webhook => ({
  id: 'h',
  url,
  secret: 's'.repeat(32),
  enabled: true,
  createdAt: new Date().toISOString(),
});

describe('delivering to a webhook', () => {
  it.each([
    ['an IP literal on loopback', () => `http://127.0.0.1:${port}/hook`],
    ['a name that resolves to loopback', () => `http://localhost:${port}/hook`],
  ])('gives up on %s without sending anything, unless private targets are allowed', async (_what, url) => {
    const decision = await deliver(hook(url()), message, 'd1', { timeoutMs: 5000, allowPrivateTargets: false });
    expect(decision).toEqual({ action: 'give_up', reason: expect.stringMatching(/loopback/) });
    expect(received).toHaveLength(0);
  });

  it('delivers the signed message to the same receiver when CP_WEBHOOK_ALLOW_PRIVATE allows it', async () => {
    const decision = await deliver(hook(`http://localhost:${port}/hook`), message, 'd2', {
      timeoutMs: 5000,
      allowPrivateTargets: true,
    });
    expect(decision).toEqual({ action: 'delivered' });
    expect(received).toHaveLength(1);
    expect(received[0].headers).toMatchObject({
      'x-citypulse-delivery': 'd2',
      'x-citypulse-event': 'raised',
      'x-citypulse-signature': expect.stringMatching(/^sha256=/),
    });
  });
});
