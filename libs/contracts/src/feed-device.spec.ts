import { feedDeviceReadings, feedToPacked, mergeByDevice, mergeFeedByDevice, packedToFeed } from './feed-device.js';
import { ruleJobReadings } from './rule-job-readings.js';
import type { PackedDeviceReadings } from './rule-job.js';

const meter = { deviceId: 'm-1', deviceType: 'electricity-meter', city: 'tianjin', site: 'tj "1"' };
const part = (deviceId: string, fields: string[], rows: PackedDeviceReadings['rows']): PackedDeviceReadings => ({
  ...meter,
  deviceId,
  fields,
  rows,
});

describe('feed parts', () => {
  it('carry times as numbers and values as JSON text, both ways', () => {
    const packed = part(
      'm-1',
      ['voltage', 'mode'],
      [
        [1, 230.5, 'eco "x"'],
        [2, null, 'off'],
      ],
    );
    const feed = packedToFeed(packed);
    expect(feed).toEqual({
      ...meter,
      fields: ['voltage', 'mode'],
      times: [1, 2],
      values: '[[230.5,"eco \\"x\\""],[null,"off"]]',
    });
    expect(feedToPacked(feed)).toEqual(packed);
    expect(feedDeviceReadings(feed)).toEqual({
      ...meter,
      readings: [
        [1, { voltage: 230.5, mode: 'eco "x"' }],
        [2, { mode: 'off' }],
      ],
    });
  });

  it('merge by device joining the values as text when the fields agree, in stream order', () => {
    const a1 = packedToFeed(part('a', ['v'], [[1, 10]]));
    const b1 = packedToFeed(part('b', ['v'], [[2, 20]]));
    const a2 = packedToFeed(
      part(
        'a',
        ['v'],
        [
          [3, 30],
          [4, 40],
        ],
      ),
    );
    const merged = mergeFeedByDevice([a1, b1, a2]);
    expect(merged.map((d) => [d.deviceId, d.times, d.values])).toEqual([
      ['a', [1, 3, 4], '[[10],[30],[40]]'],
      ['b', [2], '[[20]]'],
    ]);
    expect(merged[1]).toBe(b1);
    expect(a1.times).toEqual([1]);
  });

  it('merge a device whose parts name other fields onto the union of the fields', () => {
    const [merged] = mergeFeedByDevice([
      packedToFeed(part('a', ['voltage', 'current'], [[1, 230, 5]])),
      packedToFeed(part('a', ['frequency', 'voltage'], [[2, 50, 231]])),
    ]);
    expect(feedToPacked(merged)).toEqual(
      part(
        'a',
        ['voltage', 'current', 'frequency'],
        [
          [1, 230, 5, null],
          [2, 231, null, 50],
        ],
      ),
    );
  });

  it('are read from a rule job of either shape', () => {
    const packed = part('a', ['v'], [[1, 10]]);
    const readings = [{ ...meter, deviceId: 'a', readings: [[1, { v: 10 }]] }];
    expect(ruleJobReadings({ feed: [packedToFeed(packed)] })).toEqual(readings);
    expect(ruleJobReadings({ devices: [packed] })).toEqual(readings);
  });
});

describe('mergeByDevice', () => {
  it('merges parts into one group per device, rows in order, devices in order of first appearance', () => {
    const merged = mergeByDevice([
      part('m-1', ['voltage'], [[1, 230]]),
      part('m-2', ['voltage'], [[2, 231]]),
      part('m-1', ['voltage'], [[3, 232]]),
    ]);
    expect(merged.map((d) => [d.deviceId, d.fields, d.rows])).toEqual([
      [
        'm-1',
        ['voltage'],
        [
          [1, 230],
          [3, 232],
        ],
      ],
      ['m-2', ['voltage'], [[2, 231]]],
    ]);
  });

  it('changes none of the parts it merges (the caller may still hold them)', () => {
    const parts = [
      part('m-1', ['voltage'], [[1, 230]]),
      part('m-1', ['voltage'], [[2, 231]]),
      part('m-1', ['current'], [[3, 5]]),
    ];
    const before = structuredClone(parts);
    const [merged] = mergeByDevice(parts);
    expect(merged.rows).toEqual([
      [1, 230, null],
      [2, 231, null],
      [3, null, 5],
    ]);
    expect(parts).toEqual(before);
  });

  it('lays a part with other fields onto the union of the fields, null where a reading lacks one', () => {
    const [merged] = mergeByDevice([
      part('m-1', ['voltage', 'current'], [[1, 230, 5]]),
      part('m-1', ['frequency', 'voltage'], [[2, 50, 231]]),
    ]);
    expect(merged.fields).toEqual(['voltage', 'current', 'frequency']);
    expect(merged.rows).toEqual([
      [1, 230, 5, null],
      [2, 231, null, 50],
    ]);
  });
});
