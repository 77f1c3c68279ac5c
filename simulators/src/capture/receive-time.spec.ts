import { stampMissingTimestamps } from './receive-time.js';

const AT = 1_764_720_000_000;

describe('stampMissingTimestamps', () => {
  it('writes the receive time into readings sent without one: single, batch object and bare array', () => {
    expect(JSON.parse(stampMissingTimestamps('{"values":{"temperature":21.5}}', AT))).toEqual({
      values: { temperature: 21.5 },
      ts: AT,
    });
    expect(
      JSON.parse(stampMissingTimestamps('{"readings":[{"ts":5,"values":{"a":1}},{"values":{"a":2}}]}', AT)),
    ).toEqual({
      readings: [
        { ts: 5, values: { a: 1 } },
        { values: { a: 2 }, ts: AT },
      ],
    });
    expect(JSON.parse(stampMissingTimestamps('[{"values":{"a":1}}]', AT))).toEqual([{ values: { a: 1 }, ts: AT }]);
  });

  it('leaves payloads whose readings carry their own time, garbage and SenML byte for byte alone', () => {
    for (const payload of [
      '{"ts": 17, "values": {"a": 1.0}}',
      '{"ts":"2026-12-03T04:00:00Z","values":{}}',
      'not json {',
      '',
      '[{"bn":"x","bt":1764720000,"n":"a","v":1}]',
      '{"ts":null,"values":{"a":1}}',
      '42',
    ]) {
      expect(stampMissingTimestamps(payload, AT)).toBe(payload);
    }
  });
});
