import { seededRandom } from '@citypulse/random';

export interface HistorySeries {
  measurement: string;
  /** Tags of every point (simple names: nothing is escaped). */
  tags: Record<string, string>;
  /** Field name → kind; integers are written with the `i` suffix, as citypulse writes integer fields. */
  fields: Record<string, 'float' | 'integer'>;
}

/**
 * Line protocol for an already stored history: a point every `stepMs` in [fromMs, toMs) for each
 * series, values a seeded random walk (so a test can assert exact aggregates against InfluxDB's
 * own raw answer, and reruns write the same points), times in ms precision as ns.
 */
export function historyLines(
  series: readonly HistorySeries[],
  window: { fromMs: number; toMs: number; stepMs: number },
  seed = 1,
): string {
  const random = seededRandom(seed);
  const lines: string[] = [];
  for (const s of series) {
    const tags = Object.entries(s.tags)
      .map(([k, v]) => `,${k}=${v}`)
      .join('');
    const level = Object.fromEntries(Object.keys(s.fields).map((f) => [f, 20 + random() * 400]));
    for (let t = window.fromMs; t < window.toMs; t += window.stepMs) {
      const fields = Object.entries(s.fields).map(([f, kind]) => {
        level[f] += (random() - 0.5) * 4;
        return kind === 'integer' ? `${f}=${Math.round(level[f])}i` : `${f}=${level[f].toFixed(3)}`;
      });
      lines.push(`${s.measurement}${tags} ${fields.join(',')} ${t}000000`);
    }
  }
  return lines.join('\n');
}
