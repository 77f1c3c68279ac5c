/**
 * A stream entry: the line protocol of one or more publishes, identity already fixed, opaque to
 * the hand-off. It is what goes to InfluxDB; the ingest app reads the same lines back for rule
 * evaluation, so each reading is serialised once on its way through Redis.
 */
export interface EncodedEntry {
  lp: string;
  n: number;
}

/** Packs publishes' lines into entries of at most `maxReadings` lines, in publish order. */
export function encodeEntries(publishes: readonly (readonly string[])[], maxReadings: number): EncodedEntry[] {
  const entries: EncodedEntry[] = [];
  let lines: string[] = [];
  for (const publish of publishes) {
    for (const line of publish) {
      lines.push(line);
      if (lines.length >= maxReadings) {
        entries.push({ lp: lines.join('\n'), n: lines.length });
        lines = [];
      }
    }
  }
  if (lines.length > 0) entries.push({ lp: lines.join('\n'), n: lines.length });
  return entries;
}
