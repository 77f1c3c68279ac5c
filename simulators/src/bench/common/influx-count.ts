import { InfluxQueryClient, quoteIdent } from '@citypulse/storage';

/**
 * The bench's own InfluxDB database: created fresh for each run (so every point in it is the
 * run's), counted at the end — the ground truth for "stored" — and dropped unless kept.
 */
export class BenchDatabase {
  private readonly client: InfluxQueryClient;

  constructor(
    url: string,
    readonly name: string,
  ) {
    this.client = new InfluxQueryClient({ url, database: name, timeoutMs: 120_000 });
  }

  create(): Promise<void> {
    return this.client.createDatabase(this.name);
  }

  drop(): Promise<void> {
    return this.client.dropDatabase(this.name);
  }

  /**
   * Points of a measurement, counted by one field every bench reading carries. InfluxDB counts
   * per field; a point is stored whole or not at all, so one field's count is the point count.
   */
  async countPoints(measurement: string, field: string): Promise<number> {
    const [row] = await this.client.query(`SELECT count(${quoteIdent(field)}) FROM ${quoteIdent(measurement)}`);
    return typeof row?.count === 'number' ? row.count : 0;
  }
}
