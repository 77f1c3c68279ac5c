import { decodeJobFeed, encodeJobFeed } from './rule-job-feed.js';
import type { FeedDevice } from './feed-device.js';

const device = (deviceId: string, values: string, times: number[]): FeedDevice => ({
  deviceId,
  deviceType: 'electricity-meter',
  city: 'tianjin',
  site: 'tj-1',
  fields: ['voltage', 'label'],
  times,
  values,
});

describe('a rule job feed as text', () => {
  it('gives back every device as it was, values text untouched', () => {
    const devices = [
      device('m-1', '[[230.5,"a"],[231,null]]', [1_733_000_000_000, 1_733_000_000_001]),
      // Names and string values holding the separators travel escaped inside their JSON.
      device('m-2\ttab', '[[1e-7,"line\\nbreak\\ttab"]]', [5]),
      device('m-3', '[]', []),
    ];
    const text = encodeJobFeed(devices);
    expect(text.split('\n')).toHaveLength(3);
    expect(decodeJobFeed(text)).toEqual(devices);
    expect(decodeJobFeed(text)[1].values).toBe('[[1e-7,"line\\nbreak\\ttab"]]');
  });

  it('is empty for no devices, and refuses a line without its values', () => {
    expect(decodeJobFeed(encodeJobFeed([]))).toEqual([]);
    expect(() => decodeJobFeed('["m-1","t","c","s",[],[]]')).toThrow(/without its values/);
  });
});
