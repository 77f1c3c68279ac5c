/** One sample of a Prometheus text exposition. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A scrape read back: samples by name and labels, and which families were declared. */
export class Scrape {
  private constructor(
    readonly text: string,
    readonly samples: Sample[],
  ) {}

  static parse(text: string): Scrape {
    const samples: Sample[] = [];
    for (const line of text.split('\n')) {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) continue;
      const labels: Record<string, string> = {};
      for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key] = value!;
      samples.push({ name: match[1], labels, value: Number(match[3]) });
    }
    return new Scrape(text, samples);
  }

  /** The value of the sample with this name and exactly these labels; undefined if absent. */
  value(name: string, labels: Record<string, string> = {}): number | undefined {
    const wanted = Object.entries(labels);
    return this.samples.find(
      (s) =>
        s.name === name &&
        Object.keys(s.labels).length === wanted.length &&
        wanted.every(([k, v]) => s.labels[k] === v),
    )?.value;
  }

  /** Whether the family is declared (`# TYPE`), samples or not: a labelled counter has none until counted. */
  declares(family: string, type: string): boolean {
    return this.text.includes(`# TYPE ${family} ${type}\n`);
  }
}

/** GET /metrics at `baseUrl` with an optional bearer token; throws unless 200. */
export async function scrape(baseUrl: string, token?: string): Promise<Scrape> {
  const response = await fetch(`${baseUrl}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (response.status !== 200) throw new Error(`GET ${baseUrl}/metrics answered ${response.status}`);
  return Scrape.parse(await response.text());
}
