import {
  RuleFeedDecoder,
  RuleFeedHead,
  decodeRuleFeed,
  encodeRuleFeed,
  joinRuleFeed,
  mergeByDevice,
  ruleFeedDeviceText,
} from './rule-feed-text.js';
import type { PackedDeviceReadings } from './rule-job.js';

const meter = { deviceId: 'm-1', deviceType: 'electricity-meter', city: 'tianjin', site: 'tj "1"' };
const part = (deviceId: string, fields: string[], rows: PackedDeviceReadings['rows']): PackedDeviceReadings => ({
  ...meter,
  deviceId,
  fields,
  rows,
});

describe('rule feed text', () => {
  it('round-trips a device’s packed readings as one line without key names', () => {
    const rows = [
      [1_700_000_000_000, 229.5, null, 'eco "a\\b"'],
      [1_700_000_000_001, 0, true, null],
    ];
    const text = encodeRuleFeed(ruleFeedDeviceText(meter), { fields: ['voltage', 'online', 'mode'], rows });
    expect(text).not.toContain('\n');
    expect(text).not.toContain('deviceId');
    expect(decodeRuleFeed(text)).toEqual({ ...meter, fields: ['voltage', 'online', 'mode'], rows });
  });

  it('writes the same text from a device session’s kept head, whose fields follow each publish’s', () => {
    const head = new RuleFeedHead(ruleFeedDeviceText(meter));
    const publishes: Array<Pick<PackedDeviceReadings, 'fields' | 'rows'>> = [
      { fields: ['voltage', 'current'], rows: [[1, 230, 5]] },
      { fields: ['voltage', 'current'], rows: [[2, 231, 6]] },
      { fields: ['current', 'voltage'], rows: [[3, 7, 232]] },
      { fields: ['voltage'], rows: [[4, 233]] },
      { fields: ['voltage', 'current'], rows: [[5, 234, 8]] },
    ];
    for (const publish of publishes) {
      const text = joinRuleFeed(
        head.for([...publish.fields]),
        publish.rows.map((row) => JSON.stringify(row)),
      );
      expect(text).toBe(encodeRuleFeed(ruleFeedDeviceText(meter), publish));
      expect(decodeRuleFeed(text)).toEqual({ ...meter, ...publish });
    }
  });

  it('decodes a stream of texts parsing each device’s head once, and texts from before the head mark', () => {
    const decoder = new RuleFeedDecoder();
    const fields = ['voltage', 'mode'];
    const first = encodeRuleFeed(ruleFeedDeviceText(meter), { fields, rows: [[1, 230.25, 'eco "x"\tb']] });
    const second = encodeRuleFeed(ruleFeedDeviceText(meter), { fields, rows: [[2, 231, null]] });
    // The mark is a raw tab: JSON whitespace, so the text is still one JSON value.
    expect(first.split('\t')).toHaveLength(2);
    expect(JSON.parse(first)).toEqual([
      [meter.deviceId, meter.deviceType, meter.city, meter.site],
      fields,
      [[1, 230.25, 'eco "x"\tb']],
    ]);
    const a = decoder.decode(first);
    const b = decoder.decode(second);
    expect(a).toEqual(decodeRuleFeed(first));
    expect(b).toEqual({ ...meter, fields, rows: [[2, 231, null]] });
    expect(b.fields).toBe(a.fields);
    const before = JSON.stringify([[meter.deviceId, meter.deviceType, meter.city, meter.site], fields, [[3, 1, 'x']]]);
    expect(decoder.decode(before)).toEqual({ ...meter, fields, rows: [[3, 1, 'x']] });
  });

  it('forgets its heads past its limit and still decodes every text', () => {
    const decoder = new RuleFeedDecoder(2);
    const texts = ['a', 'b', 'c', 'a'].map((deviceId, i) =>
      encodeRuleFeed(ruleFeedDeviceText({ ...meter, deviceId }), { fields: ['voltage'], rows: [[i, i + 0.5]] }),
    );
    expect(texts.map((text) => decoder.decode(text))).toEqual(
      ['a', 'b', 'c', 'a'].map((deviceId, i) => ({ ...meter, deviceId, fields: ['voltage'], rows: [[i, i + 0.5]] })),
    );
  });

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
