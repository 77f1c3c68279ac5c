import { parseIsoTime } from './iso-time.js';

describe('parseIsoTime', () => {
  it.each([
    ['2024-11-28T12:00:00Z', Date.UTC(2024, 10, 28, 12)],
    ['2024-11-28T12:00:00.123Z', Date.UTC(2024, 10, 28, 12) + 123],
    ['2024-11-28T12:00Z', Date.UTC(2024, 10, 28, 12)],
    ['2024-11-28t12:00:00z', Date.UTC(2024, 10, 28, 12)],
    ['2024-11-28T13:00:00+01:00', Date.UTC(2024, 10, 28, 12)],
    ['2024-11-28T13:00:00+0100', Date.UTC(2024, 10, 28, 12)],
    ['2024-11-28T07:00:00-05', Date.UTC(2024, 10, 28, 12)],
    ['2024-11-28T12:00:00,5Z', Date.UTC(2024, 10, 28, 12) + 500],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['0050-01-01T00:00:00Z', -60589296000000],
  ])('reads %s', (text, expected) => {
    expect(parseIsoTime(text)).toBe(expected);
  });

  it('keeps sub-millisecond digits as a fraction of a millisecond', () => {
    expect(parseIsoTime('2024-11-28T12:00:00.123456Z')).toBeCloseTo(Date.UTC(2024, 10, 28, 12) + 123.456, 6);
  });

  it.each([
    ['a date without a time', '2024-11-28'],
    ['a time without a zone, which would be read as local time', '2024-11-28T12:00:00'],
    ['30 February, which Date.parse turns into 1 March', '2024-02-30T00:00:00Z'],
    ['29 February of a non-leap year', '2023-02-29T00:00:00Z'],
    ['month 13', '2024-13-01T00:00:00Z'],
    ['hour 24', '2024-11-28T24:00:00Z'],
    ['a leap second', '2024-12-31T23:59:60Z'],
    ['an offset beyond 23 hours', '2024-11-28T12:00:00+24:00'],
    ['a space instead of T', '2024-11-28 12:00:00Z'],
    ['free text', 'yesterday'],
    ['an expanded year', '+002024-11-28T12:00:00Z'],
    ['trailing characters', '2024-11-28T12:00:00Zjunk'],
  ])('refuses %s', (_label, text) => {
    expect(parseIsoTime(text)).toBeNaN();
  });
});
