import type { HandoffEntryContent } from '@citypulse/handoff';

/** One InfluxDB write: hand-off entries' texts joined by `\n`, and how many lines that is. */
export interface WriteBody {
  text: string;
  lines: number;
}

/**
 * A batch's entries as InfluxDB writes of at most `maxLines` lines each, in order — entries whole:
 * their texts go out as the broker wrote them, joined by `\n`, never split into lines and joined
 * again. An entry larger than `maxLines` on its own (the broker's entries are far smaller) is one
 * write by itself.
 */
export function writeBodies(entries: readonly HandoffEntryContent[], maxLines: number): WriteBody[] {
  const bodies: WriteBody[] = [];
  let texts: string[] = [];
  let lines = 0;
  const close = () => {
    if (texts.length === 0) return;
    bodies.push({ text: texts.length === 1 ? texts[0] : texts.join('\n'), lines });
    texts = [];
    lines = 0;
  };
  for (const entry of entries) {
    if (lines > 0 && lines + entry.lines > maxLines) close();
    texts.push(entry.lp);
    lines += entry.lines;
  }
  close();
  return bodies;
}
