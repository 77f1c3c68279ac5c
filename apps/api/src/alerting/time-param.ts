/**
 * A time in a query string: ISO 8601, or epoch milliseconds. NaN when it is neither (the validator then names the
 * field).
 */
export function toEpochMs(value: unknown): number {
  if (typeof value !== 'string' || value === '') return Number.NaN;
  if (/^\d+$/.test(value)) return Number(value);
  return /^\d{4}-\d\d-\d\d/.test(value) ? Date.parse(value) : Number.NaN;
}
