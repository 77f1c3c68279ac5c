/**
 * Describing JSON values in rejection details. Device-supplied text is quoted and cut short: the detail is echoed
 * back on the error topic and stored, so a 60 KB field name must not come back 60 KB long.
 */
const MAX_QUOTED = 48;

export function quote(text: string): string {
  return JSON.stringify(text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text);
}

/** A scalar as it appeared in the payload, for "co2 = 9000" / "mode = \"auto\"". */
export function show(value: unknown): string {
  return typeof value === 'string' ? quote(value) : String(value);
}

export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return typeof value;
}

export function withUnit(value: number, unit: string | undefined): string {
  return unit ? `${value} ${unit}` : String(value);
}

/** A JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
