import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Cleanup } from './cleanup.js';
import { BenchDatabase } from './influx-count.js';
import { deleteRedisPrefix } from './redis-cleanup.js';
import { compactTimestamp } from './run-context.js';

export interface BenchRunOptions {
  redisUrl: string;
  /** Every server holding the run's keys (each master of a Redis Cluster); @defaultValue [redisUrl] */
  redisNodeUrls?: readonly string[];
  influxUrl: string;
  outDir: string;
  /** Keep the run's database and Redis keys afterwards (to look at them). */
  keep: boolean;
  /** Appended to the Redis prefix (`bench<stamp><suffix>`), so two benches started in one second stay apart. */
  prefixSuffix: string;
  /** The run's own InfluxDB database, created now and dropped at the end; none when the run stores nothing. */
  databaseName?: (stamp: string) => string;
}

/** What makes one bench run its own: a fresh Redis prefix, database and API token, and where its files go. */
export interface BenchRun {
  startedAt: Date;
  stamp: string;
  redisPrefix: string;
  outDir: string;
  logDir: string;
  token: string;
  database?: BenchDatabase;
  /** The database's name, or a name no process writes to (the API still wants one for its health check). */
  databaseName: string;
}

/**
 * Sets a run up and puts its undoing on `cleanup`: the database is dropped and the Redis keys
 * deleted last (these steps are added before any service starts, and cleanup runs last-in first-out).
 */
export async function startBenchRun(options: BenchRunOptions, cleanup: Cleanup): Promise<BenchRun> {
  const startedAt = new Date();
  const stamp = compactTimestamp(startedAt);
  const redisPrefix = `bench${stamp}${options.prefixSuffix}`;
  const outDir = resolve(options.outDir);
  const logDir = join(outDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  let database: BenchDatabase | undefined;
  if (options.databaseName) {
    database = new BenchDatabase(options.influxUrl, options.databaseName(stamp));
    await database.create();
    if (!options.keep) cleanup.add('drop database', () => database!.drop());
  }
  if (!options.keep)
    cleanup.add('delete Redis keys', () => deleteRedisPrefix(options.redisNodeUrls ?? options.redisUrl, redisPrefix));
  return {
    startedAt,
    stamp,
    redisPrefix,
    outDir,
    logDir,
    token: randomBytes(24).toString('base64url'),
    database,
    databaseName: database?.name ?? `bench_${stamp}_unused`,
  };
}
