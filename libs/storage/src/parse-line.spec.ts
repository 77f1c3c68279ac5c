import type { Reading } from '@citypulse/contracts';
import { toLine } from './line-protocol.js';
import { parseLine, parseSeriesKey } from './parse-line.js';

const reading = (over: Partial<Reading> = {}): Reading => ({
  deviceId: 'meter-7',
  deviceType: 'electricity-meter',
  city: 'tianjin',
  site: 'tj-grid-1',
  measurement: 'energy',
  timeNs: '1700000000123456000',
  values: { voltage: 229.5, current: 5, active: true, mode: 'heat' },
  ...over,
});

describe('parseLine', () => {
  it('reads back the series, fields and time of a line toLine wrote', () => {
    const parsed = parseLine(toLine(reading())!)!;
    expect(parsed.timeNs).toBe('1700000000123456000');
    expect(parsed.fields).toEqual({ voltage: 229.5, current: 5, active: true, mode: 'heat' });
    expect(parseSeriesKey(parsed.seriesKey)).toEqual({
      measurement: 'energy',
      tags: { city: 'tianjin', device_id: 'meter-7', device_type: 'electricity-meter', site: 'tj-grid-1' },
    });
  });

  it('round-trips commas, spaces and equals signs in tags and field keys, and quotes in strings', () => {
    const tricky = reading({
      city: 'a,b c=d',
      site: 'x y',
      values: { 'odd key,=': 1.5, note: 'say "hi", then go\\home' },
    });
    const parsed = parseLine(toLine(tricky)!)!;
    expect(parsed.fields).toEqual({ 'odd key,=': 1.5, note: 'say "hi", then go\\home' });
    expect(parseSeriesKey(parsed.seriesKey).tags).toMatchObject({ city: 'a,b c=d', site: 'x y' });
  });

  it('reads numbers and booleans of a line with no escapes or strings (the native-indexOf path)', () => {
    const line = toLine(reading({ values: { voltage: 229.5, current: 5, active: true, idle: false } }))!;
    expect(line).not.toMatch(/["\\]/);
    expect(parseLine(line)).toEqual({
      seriesKey: line.slice(0, line.indexOf(' ')),
      timeNs: '1700000000123456000',
      fields: { voltage: 229.5, current: 5, active: true, idle: false },
    });
    expect(parseLine('m,a=b count=3i,ok=T 5')!.fields).toEqual({ count: 3, ok: true });
    expect(parseLine('m,a=b broken 5')).toBeNull();
  });

  it('keeps number precision and exponent forms', () => {
    const parsed = parseLine(toLine(reading({ values: { tiny: 5e-7, big: 1e21, neg: -0.125 } }))!)!;
    expect(parsed.fields).toEqual({ tiny: 5e-7, big: 1e21, neg: -0.125 });
  });

  it('gives one series key per device so readings can be grouped without parsing tags again', () => {
    const a = parseLine(toLine(reading({ timeNs: '1' }))!)!;
    const b = parseLine(toLine(reading({ timeNs: '2', values: { voltage: 1 } }))!)!;
    expect(a.seriesKey).toBe(b.seriesKey);
  });

  it('returns null for a line without fields or time', () => {
    expect(parseLine('energy,city=x')).toBeNull();
    expect(parseLine('energy voltage=1')).toBeNull();
  });
});
