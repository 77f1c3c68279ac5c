/*
 * InfluxQL quoting, so values from requests (device ids, measurement names) cannot change a
 * query's meaning. https://docs.influxdata.com/influxdb/v1/query_language/spec/#identifiers
 */

/** A double-quoted identifier (measurement, tag or field key). */
export function quoteIdent(name: string): string {
  return '"' + name.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
}

/** A single-quoted string literal (tag values in WHERE). */
export function quoteString(value: string): string {
  return "'" + value.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'";
}

/** `"k1" = 'v1' AND "k2" = 'v2'` for tag equality filters. */
export function tagEquals(tags: Record<string, string>): string {
  return Object.entries(tags)
    .map(([k, v]) => `${quoteIdent(k)} = ${quoteString(v)}`)
    .join(' AND ');
}

/**
 * RFC3339 (as InfluxDB returns times, up to 9 fractional digits) → epoch ns as a decimal string,
 * exactly. Asking the server for `epoch=ns` instead would return numbers around 1.8e18, which
 * JSON.parse rounds to the nearest 256 ns — no longer the point's identity.
 */
export function rfc3339ToEpochNs(time: string): string {
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!match) throw new Error(`not an RFC3339 time: ${time}`);
  const seconds = Date.parse(match[1] + match[3]);
  if (Number.isNaN(seconds)) throw new Error(`not an RFC3339 time: ${time}`);
  const fraction = BigInt((match[2] ?? '').padEnd(9, '0'));
  return (BigInt(seconds / 1000) * 1_000_000_000n + fraction).toString();
}
