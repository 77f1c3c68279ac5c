/**
 * Opaque text carried beside a publish's lines, for the lines `from` (inclusive) to `to`
 * (exclusive): what a consumer needs of those readings besides the lines themselves (the broker
 * writes the rule feed here, so ingest never parses the lines back). Asked for once per entry a
 * publish lands in: a publish split over two entries at the entry size limit gets two texts. One
 * line of text: it must hold no `\n`.
 */
export type Companion = (from: number, to: number) => string;

/** One publish's accepted readings as the hand-off takes them. */
export interface HandoffPublish {
  /** One line per reading (line protocol, identity fixed); never looked into here. */
  lines: readonly string[];
  companion?: Companion;
}

/**
 * A stream entry: the lines of one or more publishes and, when they came with companions, their
 * companion texts in publish order, `\n`-separated. Both opaque to the hand-off.
 */
export interface EncodedEntry {
  lp: string;
  n: number;
  companion?: string;
}

/**
 * An entry's companion texts, in order, rewritten as fewer where the producer's own format lets
 * texts side by side make one (the hand-off never looks into companions).
 */
export type CompanionMerge = (texts: readonly string[]) => string[];

/**
 * Packs publishes into entries of at most `maxReadings` lines, in publish order. Publishes with a
 * companion and without one never share an entry (a consumer reads an entry's companions or, for
 * an entry without, only its lines). With `merge`, each entry's companion texts are passed through
 * it before they are joined.
 */
export function encodeEntries(
  publishes: readonly HandoffPublish[],
  maxReadings: number,
  merge?: CompanionMerge,
): EncodedEntry[] {
  const entries: EncodedEntry[] = [];
  let lines: string[] = [];
  let companions: string[] | undefined;
  const close = () => {
    if (lines.length === 0) return;
    const entry: EncodedEntry = { lp: lines.join('\n'), n: lines.length };
    if (companions) entry.companion = (merge ? merge(companions) : companions).join('\n');
    entries.push(entry);
    lines = [];
    companions = undefined;
  };
  for (const publish of publishes) {
    const { companion } = publish;
    if (lines.length > 0 && (companion !== undefined) !== (companions !== undefined)) close();
    let from = 0;
    for (let i = 0; i < publish.lines.length; i++) {
      lines.push(publish.lines[i]);
      if (lines.length >= maxReadings || i === publish.lines.length - 1) {
        if (companion) (companions ??= []).push(companionText(companion, from, i + 1));
        from = i + 1;
      }
      if (lines.length >= maxReadings) close();
    }
  }
  close();
  return entries;
}

function companionText(companion: Companion, from: number, to: number): string {
  const text = companion(from, to);
  if (text.includes('\n')) throw new Error('a hand-off companion text must be one line (no \\n)');
  return text;
}
