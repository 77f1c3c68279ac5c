import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { influxDurationMs, InfluxQueryClient, ROLLUPS, showRetentionPolicies } from '@citypulse/storage';
import type { RollupsOnServer } from './resolution.js';

/**
 * How long what SHOW RETENTION POLICIES said is trusted; rollups found missing are looked for again sooner (an ingest
 * process may be setting them up).
 */
const TTL_MS = 30_000;
const MISSING_TTL_MS = 5_000;

/** The retention policies of CP_INFLUX_DB, read at most every TTL_MS (every chart query asks). */
@Injectable()
export class RollupCatalog {
  private cached?: { atMs: number; ttlMs: number; value: Promise<RollupsOnServer> };

  constructor(
    private readonly influx: InfluxQueryClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onServer(nowMs = Date.now()): Promise<RollupsOnServer> {
    if (!this.cached || nowMs - this.cached.atMs >= this.cached.ttlMs) {
      const cached = { atMs: nowMs, ttlMs: TTL_MS, value: this.read() };
      void cached.value.then((found) => {
        if (!ROLLUPS.every((r) => found.policies.has(r.retentionPolicy))) cached.ttlMs = MISSING_TTL_MS;
      });
      this.cached = cached;
    }
    return this.cached.value;
  }

  private async read(): Promise<RollupsOnServer> {
    try {
      const policies = await showRetentionPolicies(this.influx, this.config.influx.database);
      const raw = policies.find((p) => p.default);
      return {
        policies: new Set(policies.map((p) => p.name)),
        rawRetentionMs: raw ? influxDurationMs(raw.duration) : Number.POSITIVE_INFINITY,
      };
    } catch (error) {
      // VictoriaMetrics has no InfluxQL; a 2.x token may not list policies: raw readings then.
      return {
        policies: new Set(),
        rawRetentionMs: Number.POSITIVE_INFINITY,
        error: `SHOW RETENTION POLICIES failed: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  }
}
