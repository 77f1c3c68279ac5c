import { randomBytes } from 'node:crypto';
import { BadRequestException } from '@nestjs/common';
import { openSecret, secretContext } from '@citypulse/alert-config';
import { channelRecord } from './channel-record.js';
import type { ChannelDto } from './channel.dto.js';

const key = randomBytes(32);
const publicOnly: { secretsKey?: Buffer; allowPrivateTargets: boolean } = {
  secretsKey: key,
  allowPrivateTargets: false,
};

async function problems(
  body: Partial<ChannelDto>,
  options = publicOnly,
): Promise<Array<{ field: string; problems: string[] }>> {
  try {
    await channelRecord('beijing', { id: 'c', kind: 'slack', ...body }, null, options);
  } catch (err) {
    if (err instanceof BadRequestException)
      return (err.getResponse() as { fields: Array<{ field: string; problems: string[] }> }).fields;
    throw err;
  }
  return [];
}

describe('channelRecord', () => {
  it('refuses chat URLs and SMTP hosts on loopback, private or metadata addresses, as webhooks do, naming the field', async () => {
    expect(await problems({ url: 'http://127.0.0.1:8080/hook' })).toEqual([
      { field: 'url', problems: [expect.stringContaining('loopback')] },
    ]);
    expect(await problems({ url: 'http://169.254.169.254/latest' })).toEqual([
      { field: 'url', problems: [expect.stringContaining('metadata')] },
    ]);
    const smtp = { host: '10.1.2.3', port: 25, from: 'a@example.org', to: ['b@example.org'] };
    expect(await problems({ kind: 'email', email: smtp })).toEqual([
      { field: 'email.host', problems: [expect.stringContaining('private')] },
    ]);
    expect(await problems({ url: 'http://127.0.0.1:8080/hook' }, { ...publicOnly, allowPrivateTargets: true })).toEqual(
      [],
    );
  });

  it('seals the URL for this channel only, keeps the host to show, and refuses settings of another kind', async () => {
    const { channel } = await channelRecord(
      'beijing',
      { id: 'c', kind: 'teams', url: 'https://93.184.215.14/webhook/abc' },
      null,
      publicOnly,
    );
    expect(channel.urlHost).toBe('https://93.184.215.14');
    expect(openSecret(channel.url!, key, secretContext('beijing', 'c', 'url'))).toBe(
      'https://93.184.215.14/webhook/abc',
    );
    expect(await problems({ kind: 'mqtt', url: 'https://93.184.215.14/x' })).toEqual([
      { field: 'url', problems: [expect.any(String)] },
    ]);
    expect(
      await problems(
        { kind: 'slack', url: 'env:CP_CHANNEL_SECRET_SLACK' },
        { allowPrivateTargets: false, secretsKey: undefined },
      ),
    ).toEqual([]);
    expect(
      await problems(
        { kind: 'slack', url: 'https://93.184.215.14/x' },
        { allowPrivateTargets: false, secretsKey: undefined },
      ),
    ).toEqual([{ field: 'url', problems: [expect.stringContaining('CP_SECRETS_KEY')] }]);
  });
});
