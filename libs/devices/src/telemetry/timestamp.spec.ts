import type { Rejection } from '@citypulse/contracts';
import { resolveTimestamp } from './timestamp.js';

const NOW = Date.UTC(2024, 10, 28, 12);
const window = { receivedAtMs: NOW, maxFutureSkewMs: 300_000, maxPastAgeMs: 7 * 86_400_000 };

function resolve(ts: unknown, senml = false) {
  const out: Rejection[] = [];
  const tsMs = resolveTimestamp(ts, window, 3, out, senml);
  return { tsMs, out };
}

describe('resolveTimestamp', () => {
  it('leaves a reading without ts to the broker clock', () => {
    expect(resolve(undefined)).toEqual({ tsMs: undefined, out: [] });
  });

  it('takes epoch milliseconds as they are', () => {
    expect(resolve(NOW - 1000)).toEqual({ tsMs: NOW - 1000, out: [] });
  });

  it('reads ISO-8601 strings with a zone', () => {
    expect(resolve('2024-11-28T11:59:00Z')).toEqual({ tsMs: NOW - 60_000, out: [] });
  });

  it('accepts times exactly at the edges of the window', () => {
    expect(resolve(NOW + 300_000).out).toEqual([]);
    expect(resolve(NOW - 7 * 86_400_000).out).toEqual([]);
  });

  it.each([
    ['null', null, /not null/],
    ['a boolean', true, /not a boolean/],
    ['an object', { ms: 1 }, /not an object/],
    ['a date without a zone', '2024-11-28T12:00:00', /ISO-8601 date-time with a zone/],
    ['Infinity (JSON 1e999)', Infinity, /not a usable epoch-millisecond time/],
    ['a number beyond the Date range', 9e15, /not a usable epoch-millisecond time/],
  ])('refuses %s as timestamp_invalid', (_label, ts, detail) => {
    const { tsMs, out } = resolve(ts);
    expect(tsMs).toBeUndefined();
    expect(out).toEqual([
      { reason: 'timestamp_invalid', index: 3, field: 'ts', detail: expect.stringMatching(detail) },
    ]);
  });

  it('refuses a time beyond the allowed clock skew, saying by how much', () => {
    expect(resolve(NOW + 3_600_000).out).toEqual([
      {
        reason: 'timestamp_in_future',
        index: 3,
        field: 'ts',
        detail:
          'ts = 1732798800000 (2024-11-28T13:00:00.000Z) is 3600 s ahead of the broker clock; at most 5 min is allowed',
      },
    ]);
  });

  it('refuses a time older than the past window', () => {
    expect(resolve('2024-01-01T00:00:00Z').out).toEqual([
      {
        reason: 'timestamp_too_old',
        index: 3,
        field: 'ts',
        detail: 'ts = "2024-01-01T00:00:00Z" is more than 7 d before the broker clock',
      },
    ]);
  });

  it('hints at epoch seconds when a too-old number would fit as seconds', () => {
    expect(resolve(NOW / 1000).out[0].detail).toMatch(/looks like epoch seconds/);
  });

  it('names SenML times t and shows the resolved date', () => {
    expect(resolve(NOW + 3_600_000, true).out).toEqual([
      {
        reason: 'timestamp_in_future',
        index: 3,
        field: 't',
        detail:
          't resolves to 2024-11-28T13:00:00.000Z, which is 3600 s ahead of the broker clock; at most 5 min is allowed',
      },
    ]);
  });
});
