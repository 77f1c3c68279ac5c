import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { influxDurationMs, InfluxQueryClient, showRetentionPolicies } from '@citypulse/storage';
import type { RollupsOnServer } from './resolution.js';

/** How long what SHOW RETENTION POLICIES said is trusted: a rollup set up after the api started is used within this. */
const TTL_MS = 30_000;

/** The retention policies of CP_INFLUX_DB, read at most every TTL_MS (every chart query asks). */
@Injectable()
export class RollupCatalog {
  private cached?: { atMs: number; value: Promise<RollupsOnServer> };

  constructor(
    private readonly influx: InfluxQueryClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onServer(nowMs = Date.now()): Promise<RollupsOnServer> {
    if (!this.cached || nowMs - this.cached.atMs >= TTL_MS) this.cached = { atMs: nowMs, value: this.read() };
    return this.cached.value;
  }

  private async read(): Promise<RollupsOnServer> {
    try {
      const policies = await showRetentionPolicies(this.influx, this.config.influx.database);
      const raw = policies.find((p) => p.default);
      return { policies: new Set(policies.map((p) => p.name)), rawRetentionMs: raw ? influxDurationMs(raw.duration) : Number.POSITIVE_INFINITY };
    } catch (error) {
      // VictoriaMetrics has no InfluxQL; a 2.x token may not list policies: raw readings then.
      this.cached = undefined;
      return { policies: new Set(), rawRetentionMs: Number.POSITIVE_INFINITY, error: `SHOW RETENTION POLICIES failed: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
}
