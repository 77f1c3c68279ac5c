/**
 * Reads the service's Prometheus text exposition (GET /metrics): the counters that tell when the
 * pipeline has drained, and the store-delay histogram the bench turns into quantiles.
 * https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** One cumulative bucket: observations ≤ `le` (seconds for *_seconds histograms). */
export interface Bucket {
  le: number;
  count: number;
}

// name{labels} value [timestamp]; label values may hold escaped quotes, so the label part is matched lazily up to `}`
// outside quotes.
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[^"}]|"(?:[^"\\]|\\.)*")*\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    if (match[2]) {
      for (const [, key, value] of match[2].matchAll(LABEL)) labels[key] = unescapeLabel(value);
    }
    samples.push({ name: match[1], labels, value: parseValue(match[3]) });
  }
  return samples;
}

function unescapeLabel(value: string): string {
  return value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text); // NaN stays NaN
}

/** Sum of a metric over all its label sets (a counter with labels, e.g. rejected by reason); 0 when absent. */
export function metricTotal(samples: Sample[], name: string): number {
  let total = 0;
  for (const s of samples) if (s.name === name) total += s.value;
  return total;
}

/**
 * The cumulative buckets of histogram `name` (without `_bucket`), sorted by bound, +Inf last.
 * Buckets of the same bound are added up, so samples scraped from several processes (or label
 * sets) merge into one histogram, as PromQL's `sum by (le)` does.
 */
export function histogramBuckets(samples: Sample[], name: string): Bucket[] {
  const byBound = new Map<number, number>();
  for (const s of samples) {
    if (s.name !== `${name}_bucket` || s.labels.le === undefined) continue;
    const le = parseValue(s.labels.le);
    byBound.set(le, (byBound.get(le) ?? 0) + s.value);
  }
  return [...byBound].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
}

/**
 * The q-quantile of a cumulative histogram, interpolated linearly inside the bucket that holds it,
 * as PromQL's histogram_quantile does: the answer is only as fine as the bucket bounds. The lowest
 * bucket starts at 0. A quantile that falls in the +Inf bucket is reported as the highest finite
 * bound with `aboveHighestBound` set, since nothing more is known. Undefined when there are no observations.
 */
export function histogramQuantile(
  buckets: Bucket[],
  q: number,
): { value: number; aboveHighestBound: boolean } | undefined {
  if (buckets.length === 0) return undefined;
  const total = buckets[buckets.length - 1].count;
  if (!(total > 0)) return undefined;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const bucket of buckets) {
    if (bucket.count >= rank) {
      if (bucket.le === Infinity) return { value: lowerBound, aboveHighestBound: true };
      const inBucket = bucket.count - lowerCount;
      const fraction = inBucket > 0 ? (rank - lowerCount) / inBucket : 0;
      return { value: lowerBound + (bucket.le - lowerBound) * fraction, aboveHighestBound: false };
    }
    lowerBound = bucket.le;
    lowerCount = bucket.count;
  }
  return { value: lowerBound, aboveHighestBound: true };
}

/** GET /metrics (with the bearer token the API wants) from each process, parsed into one list. */
export async function scrapeMetrics(baseUrls: readonly string[], token: string): Promise<Sample[]> {
  const scraped = await Promise.all(
    baseUrls.map(async (baseUrl) => {
      const response = await fetch(`${baseUrl}/metrics`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(10_000),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`GET ${baseUrl}/metrics answered ${response.status}: ${text.slice(0, 200)}`);
      return parsePrometheusText(text);
    }),
  );
  return scraped.flat();
}
