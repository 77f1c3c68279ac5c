interface CategoryCount {
  tried: number;
  refused: number;
  /** Inputs not refused as expected, with what happened instead (for the failure message). */
  wrong: string[];
  /** Did the broker and API still serve after this category? Undefined until checked. */
  survived?: boolean;
}

/**
 * Counts for the hostile-input suites: per category, the inputs tried, those refused the way
 * they should be, and whether the service was still up afterwards.
 */
export class HostileTally {
  private readonly categories = new Map<string, CategoryCount>();

  constructor(readonly suite: string) {}

  /** One hostile input and whether it met its expected refusal; `what` says what happened if not. */
  record(category: string, refusedAsExpected: boolean, what: string): void {
    const c = this.category(category);
    c.tried++;
    if (refusedAsExpected) c.refused++;
    else c.wrong.push(what);
  }

  survived(category: string, up: boolean): void {
    this.category(category).survived = up;
  }

  /** Inputs of a category that were not refused as expected (empty when all were). */
  wrong(category: string): string[] {
    return this.category(category).wrong;
  }

  get totals(): { tried: number; refused: number } {
    let tried = 0;
    let refused = 0;
    for (const c of this.categories.values()) {
      tried += c.tried;
      refused += c.refused;
    }
    return { tried, refused };
  }

  table(): string {
    const rows = [...this.categories.entries()].map(([name, c]) => [
      name,
      String(c.tried),
      String(c.refused),
      c.survived === undefined ? '-' : c.survived ? 'yes' : 'NO',
    ]);
    const { tried, refused } = this.totals;
    const all = [
      ['category', 'tried', 'refused correctly', 'survived'],
      ...rows,
      ['total', String(tried), String(refused), rows.every((r) => r[3] !== 'NO') ? 'yes' : 'NO'],
    ];
    const widths = all[0].map((_, c) => Math.max(...all.map((r) => r[c].length)));
    const line = (r: string[]) =>
      r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
    const rule = widths.map((w) => '-'.repeat(w)).join('  ');
    return [`${this.suite}`, line(all[0]), rule, ...all.slice(1, -1).map(line), rule, line(all[all.length - 1])].join(
      '\n',
    );
  }

  private category(name: string): CategoryCount {
    let c = this.categories.get(name);
    if (!c) {
      c = { tried: 0, refused: 0, wrong: [] };
      this.categories.set(name, c);
    }
    return c;
  }
}
