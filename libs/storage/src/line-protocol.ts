import type { FieldValue, Reading } from '@citypulse/contracts';

/*
 * Reading → InfluxDB line protocol (https://docs.influxdata.com/influxdb/v1/write_protocols/line_protocol_reference/).
 * Hot path: every stored reading passes here, so escaping scans char codes once and returns the
 * input untouched when nothing needs escaping (the common case), instead of running a regex.
 */

const COMMA = 44;
const SPACE = 32;
const EQUALS = 61;
const BACKSLASH = 92;
const QUOTE = 34;
const LF = 10;
const CR = 13;
const TAB = 9;

/** True when `s` holds a char that `escapeKey` must rewrite. */
function needsKeyEscape(s: string, escapeEquals: boolean): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === COMMA || c === SPACE || c === BACKSLASH || c === LF || c === CR || c === TAB) return true;
    if (c === EQUALS && escapeEquals) return true;
  }
  return false;
}

/** Whether `c` is a char `escapeKey` writes with a leading backslash. */
function isEscaped(c: number, escapeEquals: boolean): boolean {
  return c === COMMA || c === SPACE || c === LF || c === CR || c === TAB || (c === EQUALS && escapeEquals);
}

/**
 * Escapes a measurement (`escapeEquals` false), tag key, tag value or field key.
 * - `,` ` ` `=` are structural, so they get a backslash.
 * - Line breaks and tabs cannot appear raw (a newline ends the line), so they are written as
 *   `\n`, `\r`, `\t`, as @influxdata/influxdb-client does (stored as those two characters).
 * - A backslash is kept literal — InfluxDB 1.x stores `a\b` as is and never unescapes `\\` —
 *   except in a run that ends the string or precedes an escaped char: there the run is doubled,
 *   or it would escape the following separator and corrupt the line. 2.x and VictoriaMetrics read
 *   the doubled run back exactly; 1.6.7 keeps it doubled, and refuses a tag value ending in `\`
 *   with a 400 for that one line (dropped and counted, never silently). See docs/storage.md.
 */
function escapeKey(s: string, escapeEquals: boolean): string {
  if (!needsKeyEscape(s, escapeEquals)) return s;
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === BACKSLASH) {
      let end = i + 1;
      while (end < s.length && s.charCodeAt(end) === BACKSLASH) end++;
      if (end === s.length || isEscaped(s.charCodeAt(end), escapeEquals)) {
        const run = s.slice(i, end);
        out += s.slice(from, i) + run + run;
        from = end;
      }
      i = end - 1;
      continue;
    }
    if (!isEscaped(c, escapeEquals)) continue;
    out += s.slice(from, i) + (c === LF ? '\\n' : c === CR ? '\\r' : c === TAB ? '\\t' : '\\' + s[i]);
    from = i + 1;
  }
  return out + s.slice(from);
}

/** Escapes a measurement name: commas and spaces (an `=` is legal there). */
export function escapeMeasurement(s: string): string {
  return escapeKey(s, false);
}

/** Escapes a tag key, tag value or field key: commas, spaces and equals signs. */
export function escapeTag(s: string): string {
  return escapeKey(s, true);
}

/**
 * Quotes a string field value: `"` and `\` get a backslash (the only escapes inside quotes).
 * Line breaks are written as `\n` / `\r` (two characters, stored as such): InfluxDB would accept
 * them raw inside quotes, but then one point would span two physical lines, and callers that
 * split a body on newlines (counting, halving a rejected batch) would cut a point in two.
 */
export function quoteFieldString(s: string): string {
  let from = 0;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === QUOTE || c === BACKSLASH) {
      out += s.slice(from, i) + '\\';
      from = i;
    } else if (c === LF || c === CR) {
      out += s.slice(from, i) + (c === LF ? '\\n' : '\\r');
      from = i + 1;
    }
  }
  return out + s.slice(from) + '"';
}

/**
 * Formats one field value, or undefined when InfluxDB cannot store it.
 *
 * Every number is written without the `i` suffix, so InfluxDB stores it as a float — integers
 * included. A field's type is fixed by the first point written to a shard; if a device sent `21`
 * once (integer) and `21.5` later (float), the second write would be a 400 "field type conflict".
 * Writing all numbers as floats means a field can never change type between points.
 * NaN and ±Infinity have no line-protocol form; the broker rejects them (`not_finite`) before
 * hand-off, so here they are only skipped defensively.
 */
export function formatFieldValue(v: FieldValue): string | undefined {
  switch (typeof v) {
    case 'number':
      return formatNumber(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'string':
      return quoteFieldString(v);
    default:
      return undefined;
  }
}

/**
 * A number as the shortest decimal that reads back as the same double (what `String(n)` writes,
 * exponent forms such as 1e+21 and 5e-7 included: InfluxDB and JSON parse them as floats), or
 * undefined for NaN and ±Infinity. Sensor values mostly carry at most three decimals; those are
 * written from their integer thousandths, which costs a third of `String(n)`'s shortest-digits
 * search (the broker formats every value of every reading). That text is the same as
 * `String(n)`'s: k/1000 is the double nearest to the decimal k·10⁻³, so the decimal reads back as
 * n, and no shorter one can (doubles below 10⁶ lie far closer together than 0.001).
 */
export function formatNumber(n: number): string | undefined {
  if (n > -1e6 && n < 1e6) {
    const thousandths = Math.round(n * 1000);
    if (thousandths / 1000 === n) {
      const abs = thousandths < 0 ? -thousandths : thousandths;
      const whole = (abs / 1000) | 0;
      const text = (thousandths < 0 ? '-' : '') + whole;
      const fraction = abs - whole * 1000;
      if (fraction === 0) return text;
      if (fraction % 100 === 0) return text + '.' + fraction / 100;
      if (fraction % 10 === 0) return text + (fraction < 100 ? '.0' : '.') + fraction / 10;
      return text + (fraction < 10 ? '.00' : fraction < 100 ? '.0' : '.') + fraction;
    }
  }
  return Number.isFinite(n) ? String(n) : undefined;
}

/** The tags a point is identified by (besides measurement and time). */
export interface SeriesTags {
  measurement: string;
  city: string;
  deviceId: string;
  deviceType: string;
  site: string;
}

/**
 * The measurement and tag set of a line, escaped. Constant for a device, so the broker builds it
 * once per session instead of escaping the same strings for every reading.
 *
 * Tags are written in key order (city, device_id, device_type, site): InfluxDB sorts them
 * otherwise on every point. An empty tag value is left out, since `tag=` is a parse error.
 */
export function seriesKey(s: SeriesTags): string {
  let key = escapeMeasurement(s.measurement);
  if (s.city !== '') key += ',city=' + escapeTag(s.city);
  if (s.deviceId !== '') key += ',device_id=' + escapeTag(s.deviceId);
  if (s.deviceType !== '') key += ',device_type=' + escapeTag(s.deviceType);
  if (s.site !== '') key += ',site=' + escapeTag(s.site);
  return key;
}

/**
 * Told of each field a line stores, in order, with its value as written: a caller serialising the
 * reading for someone else too reuses the text (a number's or a boolean's is also its JSON).
 */
export type StoredFieldVisitor = (name: string, value: FieldValue, written: string) => void;

/**
 * Escaped field keys with their `=`, by key. Every stored reading names its fields again, but a
 * deployment has few field names (its device types'), so each is escaped once, not per reading.
 * Bounded: emptied when full, should some caller pass arbitrary keys.
 */
const fieldKeyPrefixes = new Map<string, string>();
const MAX_CACHED_FIELD_KEYS = 4096;

function fieldKeyPrefix(key: string): string {
  let prefix = fieldKeyPrefixes.get(key);
  if (prefix === undefined) {
    if (fieldKeyPrefixes.size >= MAX_CACHED_FIELD_KEYS) fieldKeyPrefixes.clear();
    prefix = escapeTag(key) + '=';
    fieldKeyPrefixes.set(key, prefix);
  }
  return prefix;
}

/** The field set of a line, or '' when no value is storable. */
export function fieldSet(values: Readonly<Record<string, FieldValue>>, visit?: StoredFieldVisitor): string {
  let fields = '';
  for (const key in values) {
    const value = formatFieldValue(values[key]);
    if (value === undefined) continue;
    fields += (fields === '' ? '' : ',') + fieldKeyPrefix(key) + value;
    visit?.(key, values[key], value);
  }
  return fields;
}

/**
 * The values as a line built by `fieldSet` stores them, i.e. as a query reads them back: line
 * breaks in strings as the two characters `\n` / `\r` (`quoteFieldString`), unstorable values left
 * out. `values` itself when nothing differs (the common case, no copy): readings handed to rules
 * beside their lines then match what a backtest reads from the store.
 */
export function storedValues(values: Readonly<Record<string, FieldValue>>): Readonly<Record<string, FieldValue>> {
  for (const key in values) if (storedDiffers(values[key])) return copyAsStored(values);
  return values;
}

/** A string field value as a line stores it: line breaks as the two characters `\n` / `\r`. */
export function storedString(s: string): string {
  return s.indexOf('\n') < 0 && s.indexOf('\r') < 0 ? s : s.replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

function storedDiffers(v: FieldValue): boolean {
  if (typeof v === 'number') return !Number.isFinite(v);
  if (typeof v === 'string') return storedString(v) !== v;
  return typeof v !== 'boolean';
}

function copyAsStored(values: Readonly<Record<string, FieldValue>>): Record<string, FieldValue> {
  const stored: Record<string, FieldValue> = {};
  for (const key in values) {
    const v = values[key];
    if (typeof v === 'string') stored[key] = storedString(v);
    else if (formatFieldValue(v) !== undefined) stored[key] = v;
  }
  return stored;
}

/**
 * One line from a prebuilt series key, or null when it has no storable field (a line without
 * fields is a parse error that would fail its whole batch). `timeNs` is epoch nanoseconds as a
 * decimal string, written verbatim (precision=ns).
 */
export function lineFor(
  key: string,
  values: Readonly<Record<string, FieldValue>>,
  timeNs: string,
  visit?: StoredFieldVisitor,
): string | null {
  const fields = fieldSet(values, visit);
  return fields === '' ? null : key + ' ' + fields + ' ' + timeNs;
}

/** One reading as one line, or null when it has no storable field. */
export function toLine(r: Reading): string | null {
  return lineFor(seriesKey(r), r.values, r.timeNs);
}

/** Lines for a batch of readings; readings without a storable field produce no line. */
export function toLines(readings: readonly Reading[]): string[] {
  const lines: string[] = [];
  for (const r of readings) {
    const line = toLine(r);
    if (line !== null) lines.push(line);
  }
  return lines;
}

/** A batch of readings as one newline-joined line-protocol body (timestamps in ns). */
export function toLineProtocol(readings: readonly Reading[]): string {
  return toLines(readings).join('\n');
}
