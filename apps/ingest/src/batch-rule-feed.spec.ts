import {
  encodeRuleFeed,
  feedToPacked,
  packReadings,
  ruleFeedDeviceText,
  type DeviceReadings,
} from '@citypulse/contracts';
import { batchRuleFeed } from './batch-rule-feed.js';

const ref = (deviceId: string) => ({ deviceId, deviceType: 'electricity-meter', city: 'tianjin', site: 'tj-1' });
const line = (device: string, t: number, v = t) =>
  `energy,city=tianjin,device_id=${device},device_type=electricity-meter,site=tj-1 voltage=${v} ${t}000000`;
const feed = (device: string, ...readings: DeviceReadings['readings']) =>
  encodeRuleFeed(ruleFeedDeviceText(ref(device)), packReadings(readings));
const rowsOf = (devices: ReturnType<typeof batchRuleFeed>) =>
  devices.map(feedToPacked).map((d) => [d.deviceId, d.fields, d.rows]);

describe('batchRuleFeed', () => {
  it('hands on the feed written beside the lines, without reading the lines', () => {
    // Lines that do not say what the feed says: the feed must be what is used.
    const devices = batchRuleFeed({
      entries: [
        {
          lp: 'not line protocol\nnor this',
          lines: 2,
          companions: [feed('m1', [1, { voltage: 230 }]), feed('m2', [2, { voltage: 231 }])],
        },
      ],
    });
    expect(devices.map(feedToPacked)).toEqual([
      { ...ref('m1'), fields: ['voltage'], rows: [[1, 230]] },
      { ...ref('m2'), fields: ['voltage'], rows: [[2, 231]] },
    ]);
  });

  it('parses the lines of an entry written without a feed (an older broker), in stream order with newer ones', () => {
    // A partition after an upgrade: the old broker's entry first, then the new broker's.
    const devices = batchRuleFeed({
      entries: [
        { lp: [line('m1', 1), line('m2', 2)].join('\n'), lines: 2 },
        {
          lp: [line('m1', 3), line('m1', 4, 231.5)].join('\n'),
          lines: 2,
          companions: [feed('m1', [3, { voltage: 3 }], [4, { voltage: 231.5 }])],
        },
      ],
    });
    expect(rowsOf(devices)).toEqual([
      [
        'm1',
        ['voltage'],
        [
          [1, 1],
          [3, 3],
          [4, 231.5],
        ],
      ],
      ['m2', ['voltage'], [[2, 2]]],
    ]);
    expect(devices[0]).toMatchObject(ref('m1'));
  });

  it('falls back to the lines of an entry whose feed text cannot be read', () => {
    const devices = batchRuleFeed({ entries: [{ lp: line('m1', 5), lines: 1, companions: ['{not a feed'] }] });
    expect(rowsOf(devices)).toEqual([['m1', ['voltage'], [[5, 5]]]]);
  });
});
