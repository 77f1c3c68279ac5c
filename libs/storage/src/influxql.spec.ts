import { quoteIdent, quoteString, rfc3339ToEpochNs, tagEquals } from './influxql.js';

describe('InfluxQL quoting', () => {
  it('quotes identifiers so quotes and backslashes cannot end them early', () => {
    expect(quoteIdent('building')).toBe('"building"');
    expect(quoteIdent('a"b\\')).toBe('"a\\"b\\\\"');
  });

  it('quotes string literals so a device id cannot inject a condition', () => {
    expect(quoteString("x' OR '1'='1")).toBe("'x\\' OR \\'1\\'=\\'1'");
  });

  it('joins tag equalities with AND', () => {
    expect(tagEquals({ device_id: 'd1', city: 'paris' })).toBe(`"device_id" = 'd1' AND "city" = 'paris'`);
  });
});

describe('rfc3339ToEpochNs', () => {
  it('keeps all nine fractional digits exactly', () => {
    expect(rfc3339ToEpochNs('2026-11-28T12:35:04.696960867Z')).toBe('1795869304696960867');
  });

  it('reads the trimmed fractions InfluxDB sends (trailing zeros dropped)', () => {
    expect(rfc3339ToEpochNs('1970-01-01T00:00:00.00000101Z')).toBe('1010');
    expect(rfc3339ToEpochNs('2026-11-28T12:35:04Z')).toBe('1795869304000000000');
  });

  it('handles times before 1970 and offsets', () => {
    expect(rfc3339ToEpochNs('1969-12-31T23:59:59.999999999Z')).toBe('-1');
    expect(rfc3339ToEpochNs('1970-01-01T01:00:00.5+01:00')).toBe('500000000');
  });

  it('rejects what is not RFC3339', () => {
    expect(() => rfc3339ToEpochNs('yesterday')).toThrow(/not an RFC3339 time/);
  });
});
