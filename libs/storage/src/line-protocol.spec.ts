import type { Reading } from '@citypulse/contracts';
import {
  escapeMeasurement,
  escapeTag,
  formatFieldValue,
  formatNumber,
  quoteFieldString,
  toLine,
  toLineProtocol,
  toLines,
} from './line-protocol.js';

const reading = (over: Partial<Reading> = {}): Reading => ({
  deviceId: 'dev-1',
  deviceType: 'env-sensor',
  city: 'beijing',
  site: 'tower-1',
  measurement: 'building',
  timeNs: '1795869304696960867',
  values: { temperature: 21.5 },
  ...over,
});

describe('toLine', () => {
  it('writes measurement, tags sorted by key, fields and the ns timestamp verbatim', () => {
    expect(toLine(reading({ values: { temperature: 21.5, humidity: 40 } }))).toBe(
      'building,city=beijing,device_id=dev-1,device_type=env-sensor,site=tower-1 temperature=21.5,humidity=40 ' +
        '1795869304696960867',
    );
  });

  it('writes integers without the i suffix so every number is stored as a float', () => {
    expect(toLine(reading({ values: { co2: 600, zero: 0, negative: -3 } }))).toContain(' co2=600,zero=0,negative=-3 ');
  });

  it('writes very large and very small numbers in exponent form, which InfluxDB parses as floats', () => {
    expect(toLine(reading({ values: { big: 1e21, small: 5e-7, neg: -2.5e-10 } }))).toContain(
      ' big=1e+21,small=5e-7,neg=-2.5e-10 ',
    );
  });

  it('writes booleans as true and false', () => {
    expect(toLine(reading({ values: { open: true, alarm: false } }))).toContain(' open=true,alarm=false ');
  });

  it('quotes string fields and escapes quotes and backslashes inside them', () => {
    expect(toLine(reading({ values: { status: 'say "hi" \\o/' } }))).toContain(' status="say \\"hi\\" \\\\o/" ');
  });

  it('leaves out non-finite numbers, which line protocol cannot express', () => {
    expect(toLine(reading({ values: { a: NaN, b: Infinity, c: -Infinity, d: 1 } }))).toContain(' d=1 ');
  });

  it('produces no line for a reading without a storable field', () => {
    expect(toLine(reading({ values: {} }))).toBeNull();
    expect(toLine(reading({ values: { a: NaN } }))).toBeNull();
  });

  it('leaves out empty tags, since `tag=` is a parse error', () => {
    expect(toLine(reading({ site: '', city: '' }))).toBe(
      'building,device_id=dev-1,device_type=env-sensor temperature=21.5 1795869304696960867',
    );
  });

  it('escapes commas, spaces and equals signs in tag values and field keys', () => {
    const line = toLine(reading({ city: 'New York, NY', site: 'a=b', values: { 'air temp,c=x': 1 } }));
    expect(line).toBe(
      'building,city=New\\ York\\,\\ NY,device_id=dev-1,device_type=env-sensor,site=a\\=b ' +
        'air\\ temp\\,c\\=x=1 1795869304696960867',
    );
  });

  it('escapes commas and spaces but not equals signs in the measurement', () => {
    expect(toLine(reading({ measurement: 'my meas,x=y' }))).toMatch(/^my\\ meas\\,x=y,city=/);
  });

  it('keeps every point on one physical line, whatever its strings contain', () => {
    const line = toLine(reading({ site: 'a\nb', city: 'c\r\td', values: { note: 'x\ny\r' } }))!;
    expect(line).not.toMatch(/[\n\r]/);
    expect(line).toBe(
      'building,city=c\\r\\td,device_id=dev-1,device_type=env-sensor,site=a\\nb note="x\\ny\\r" 1795869304696960867',
    );
  });
});

describe('escapeTag', () => {
  it('returns the very same string when nothing needs escaping', () => {
    const s = 'plain-value_123';
    expect(escapeTag(s)).toBe(s);
  });

  it('keeps a backslash in the middle literal, as InfluxDB 1.x stores it', () => {
    expect(escapeTag('a\\b')).toBe('a\\b');
    expect(escapeTag('a\\\\b')).toBe('a\\\\b');
  });

  it('doubles a backslash run before an escaped char so it cannot escape the separator', () => {
    expect(escapeTag('a\\,b')).toBe('a\\\\\\,b');
    expect(escapeTag('a\\\\ b')).toBe('a\\\\\\\\\\ b');
  });

  it('doubles a trailing backslash run so it cannot escape the following comma or space', () => {
    expect(escapeTag('end\\')).toBe('end\\\\');
    expect(escapeTag('\\\\')).toBe('\\\\\\\\');
  });

  it('escapes equals signs (tags and field keys) but escapeMeasurement does not', () => {
    expect(escapeTag('a=b')).toBe('a\\=b');
    expect(escapeMeasurement('a=b')).toBe('a=b');
    expect(escapeMeasurement('a\\=b')).toBe('a\\=b');
    expect(escapeTag('a\\=b')).toBe('a\\\\\\=b');
  });

  it('handles unicode untouched', () => {
    expect(escapeTag('北京 站')).toBe('北京\\ 站');
  });
});

describe('quoteFieldString', () => {
  it('quotes the empty string', () => {
    expect(quoteFieldString('')).toBe('""');
  });

  it('escapes every quote and backslash, including at the ends', () => {
    expect(quoteFieldString('"\\')).toBe('"\\"\\\\"');
    expect(quoteFieldString('a,b c=d')).toBe('"a,b c=d"');
  });
});

describe('formatFieldValue', () => {
  it('formats each supported type and rejects the rest', () => {
    expect(formatFieldValue(1.25)).toBe('1.25');
    expect(formatFieldValue(-0)).toBe('0');
    expect(formatFieldValue(true)).toBe('true');
    expect(formatFieldValue('x')).toBe('"x"');
    expect(formatFieldValue(NaN)).toBeUndefined();
    expect(formatFieldValue(null as unknown as number)).toBeUndefined();
  });
});

describe('formatNumber', () => {
  const random = (() => {
    let x = 2463534242;
    return () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) / 4294967296;
    };
  })();

  it('writes what String(n) writes: values with up to three decimals (its fast path) and every other', () => {
    const values = [
      0,
      -0,
      0.1,
      0.2,
      0.3,
      0.1 + 0.2,
      -0.5,
      0.001,
      -0.001,
      0.0005,
      999_999.999,
      -999_999.999,
      1e6,
      2 ** 31,
    ];
    for (let i = 0; i < 20_000; i++) {
      const n = (random() - 0.5) * 2e6 * 10 ** -Math.floor(random() * 8);
      values.push(n, Math.round(n), ...[0, 1, 2, 3, 4].map((digits) => Number(n.toFixed(digits))));
    }
    for (let k = -1_000_000; k <= 1_000_000; k += 7) values.push(k / 1000);
    for (const n of values) if (formatNumber(n) !== String(n)) expect([n, formatNumber(n)]).toEqual([n, String(n)]);
  });

  it('writes exponent forms as String does and has no text for NaN and the infinities', () => {
    expect([1e21, 5e-7, -1.5e-10].map(formatNumber)).toEqual(['1e+21', '5e-7', '-1.5e-10']);
    expect([NaN, Infinity, -Infinity].map(formatNumber)).toEqual([undefined, undefined, undefined]);
  });
});

describe('toLineProtocol', () => {
  it('joins one line per reading with newlines and skips readings without fields', () => {
    const body = toLineProtocol([reading({ timeNs: '1' }), reading({ values: {} }), reading({ timeNs: '2' })]);
    expect(body.split('\n')).toHaveLength(2);
    expect(body.endsWith(' 2')).toBe(true);
  });

  it('is empty for no readings', () => {
    expect(toLineProtocol([])).toBe('');
    expect(toLines([])).toEqual([]);
  });
});
