import {
  RuleFeedDecoder,
  RuleFeedHead,
  decodeRuleFeed,
  encodeRuleFeed,
  joinRuleFeed,
  mergeRuleFeedRuns,
  ruleFeedDeviceText,
} from './rule-feed-text.js';
import { feedToPacked } from './feed-device.js';
import type { PackedDeviceReadings } from './rule-job.js';

const meter = { deviceId: 'm-1', deviceType: 'electricity-meter', city: 'tianjin', site: 'tj "1"' };
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
        publish.rows.map((row) => String(row[0])),
        publish.rows.map((row) => JSON.stringify(row.slice(1))),
      );
      expect(text).toBe(encodeRuleFeed(ruleFeedDeviceText(meter), publish));
      expect(decodeRuleFeed(text)).toEqual({ ...meter, ...publish });
    }
  });

  it('decodes a stream of texts parsing each device’s head once, values left as text', () => {
    const decoder = new RuleFeedDecoder();
    const fields = ['voltage', 'mode'];
    const first = encodeRuleFeed(ruleFeedDeviceText(meter), { fields, rows: [[1, 230.25, 'eco "x"\tb']] });
    const second = encodeRuleFeed(ruleFeedDeviceText(meter), {
      fields,
      rows: [
        [2, 231, null],
        [3, 232, 'x'],
      ],
    });
    // Head, times and values, tab-separated (a tab inside a value is escaped in its JSON).
    expect(first.split('\t')).toHaveLength(3);
    const a = decoder.decode(first);
    const b = decoder.decode(second);
    expect(a).toEqual({ ...meter, fields, times: [1], values: '[[230.25,"eco \\"x\\"\\tb"]]' });
    expect(b).toEqual({ ...meter, fields, times: [2, 3], values: '[[231,null],[232,"x"]]' });
    expect(b.fields).toBe(a.fields);
    expect(feedToPacked(b)).toEqual(decodeRuleFeed(second));
  });

  it('decodes a text written before the feed had its parts (one JSON value) to the same', () => {
    const decoder = new RuleFeedDecoder();
    const rows = [
      [3, 1, 'x'],
      [4, 2, null],
    ];
    const before = JSON.stringify([
      [meter.deviceId, meter.deviceType, meter.city, meter.site],
      ['voltage', 'mode'],
      rows,
    ]);
    expect(decodeRuleFeed(before)).toEqual({ ...meter, fields: ['voltage', 'mode'], rows });
    expect(decoder.decode(before)).toEqual({
      ...meter,
      fields: ['voltage', 'mode'],
      times: [3, 4],
      values: '[[1,"x"],[2,null]]',
    });
  });

  it('refuses a text it cannot read, so the caller falls back to the lines', () => {
    const decoder = new RuleFeedDecoder();
    const good = encodeRuleFeed(ruleFeedDeviceText(meter), { fields: ['voltage'], rows: [[1, 2]] });
    const [head, , values] = good.split('\t');
    expect(() => decoder.decode(`${head}\tsoon\t${values}`)).toThrow(SyntaxError);
    expect(() => decoder.decode(`${head}\t1`)).toThrow(SyntaxError);
    expect(() => decoder.decode(`${head}\t1\t{}`)).toThrow(SyntaxError);
    expect(() => decoder.decode('{not a feed')).toThrow(SyntaxError);
  });

  it('forgets its heads past its limit and still decodes every text', () => {
    const decoder = new RuleFeedDecoder(2);
    const texts = ['a', 'b', 'c', 'a'].map((deviceId, i) =>
      encodeRuleFeed(ruleFeedDeviceText({ ...meter, deviceId }), { fields: ['voltage'], rows: [[i, i + 0.5]] }),
    );
    expect(texts.map((text) => feedToPacked(decoder.decode(text)))).toEqual(
      ['a', 'b', 'c', 'a'].map((deviceId, i) => ({ ...meter, deviceId, fields: ['voltage'], rows: [[i, i + 0.5]] })),
    );
  });
  describe('mergeRuleFeedRuns', () => {
    const text = (device: typeof meter, fields: string[], rows: PackedDeviceReadings['rows']) =>
      encodeRuleFeed(ruleFeedDeviceText(device), { fields, rows });
    const other = { ...meter, deviceId: 'm-2' };

    it('writes each run of one device’s texts with the same fields as one, readings in order', () => {
      const texts = [
        text(meter, ['voltage', 'mode'], [[1, 230, 'eco, "x"']]),
        text(
          meter,
          ['voltage', 'mode'],
          [
            [2, 231, null],
            [3, 232.5, 'a\tb'],
          ],
        ),
        text(meter, ['voltage', 'mode'], [[4, 0, 'z']]),
        text(other, ['voltage', 'mode'], [[5, 1, 'y']]),
      ];
      const merged = mergeRuleFeedRuns(texts);
      expect(merged).toHaveLength(2);
      expect(merged[1]).toBe(texts[3]);
      expect(decodeRuleFeed(merged[0])).toEqual({
        ...meter,
        fields: ['voltage', 'mode'],
        rows: [
          [1, 230, 'eco, "x"'],
          [2, 231, null],
          [3, 232.5, 'a\tb'],
          [4, 0, 'z'],
        ],
      });
      // The head (device and field names) written once.
      const head = texts[0].slice(0, texts[0].indexOf('\t') + 1);
      expect(merged[0].split(head)).toEqual(['', expect.any(String)]);
    });

    it('keeps apart texts of other devices or fields in between, and texts in the earlier layout', () => {
      const a = text(meter, ['voltage'], [[1, 230]]);
      const b = text(other, ['voltage'], [[2, 231]]);
      const c = text(meter, ['voltage', 'current'], [[3, 231, 5]]);
      const device = [meter.deviceId, meter.deviceType, meter.city, meter.site];
      const earlier = JSON.stringify([device, ['voltage'], [[4, 1]]]);
      const d = text(meter, ['voltage'], [[5, 232]]);
      expect(mergeRuleFeedRuns([a, b, a, c, earlier, d, d])).toEqual([
        a,
        b,
        a,
        c,
        earlier,
        text(
          meter,
          ['voltage'],
          [
            [5, 232],
            [5, 232],
          ],
        ),
      ]);
      expect(mergeRuleFeedRuns([])).toEqual([]);
    });
  });
});
