import { parseCommandMessage, parseConfigMessage, parseErrorMessage } from './incoming.js';
import { RecentIds } from './recent-ids.js';

const buf = (body: unknown) => Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));

describe('parsing what the cloud sends', () => {
  it('reads a config message and a command', () => {
    expect(parseConfigMessage(buf({ version: 2, desired: { reporting_interval_s: 5 }, at: 'x' }))).toEqual({
      version: 2,
      desired: { reporting_interval_s: 5 },
      at: 'x',
    });
    expect(parseCommandMessage(buf({ id: 'c', name: 'reboot', params: {}, issuedAt: 'a', deadline: 'b' }))).toEqual({
      id: 'c',
      name: 'reboot',
      params: {},
      issuedAt: 'a',
      deadline: 'b',
    });
  });

  it.each(['not json', '[]', '{"version":"2","desired":{}}', '{"version":2}'])(
    'ignores the config message %s',
    (text) => {
      expect(parseConfigMessage(buf(text))).toBeUndefined();
    },
  );

  it('ignores a command without id or name, and an error message without rejections', () => {
    expect(parseCommandMessage(buf({ name: 'reboot' }))).toBeUndefined();
    expect(parseCommandMessage(buf({ id: 'c' }))).toBeUndefined();
    expect(parseErrorMessage(buf({ topic: 't' }))).toBeUndefined();
  });
});

describe('RecentIds', () => {
  it('says yes once per id', () => {
    const ids = new RecentIds();
    expect([ids.firstTime('a'), ids.firstTime('b'), ids.firstTime('a')]).toEqual([true, true, false]);
  });

  it('forgets the oldest beyond its capacity', () => {
    const ids = new RecentIds(2);
    ids.firstTime('a');
    ids.firstTime('b');
    ids.firstTime('c');
    expect([ids.firstTime('b'), ids.firstTime('a')]).toEqual([false, true]);
  });
});
