import { createPointWriter, measureWriteCeiling, type CeilingResult } from '@citypulse/storage';
import { BenchDatabase } from '../common/influx-count.js';
import { CpuWatch, pidListeningOn } from '../common/proc-stats.js';

export interface CeilingBaselineOptions {
  influxUrl: string;
  /** A throw-away database, created here and always dropped. */
  database: string;
  lines: number;
  batchSize: number;
  concurrency: number;
  /** Trials of `lines` each, one after another; the ceiling is the best of them. */
  trials: number;
}

export interface CeilingBaseline extends CeilingResult {
  batchSize: number;
  concurrency: number;
  /** Fields per line that measureWriteCeiling writes (its env-sensor points), for comparing field values/s. */
  fieldsPerLine: number;
  /** While writing (every trial), % of one core; `others` high means the figure is noisy. */
  cpuPercentOfCore: Record<string, number>;
  /** Each trial's lines/s, in order; `linesPerSecond` is the best. */
  trialLinesPerSecond: number[];
  /**
   * InfluxDB's CPU per line over every trial (µs): what storing one line costs it at its fastest,
   * to set beside its CPU per reading in our run. Undefined when its process was not found.
   */
  influxdUsPerLine?: number;
}

/**
 * InfluxDB's own write ceiling on this machine: pre-built line protocol posted straight to /write
 * by the storage library's `measureWriteCeiling`, with the batch size and concurrency the ingest
 * worker uses. No MQTT, no Redis, no JSON: what our pipeline could reach if nothing else cost.
 * The best of several trials: one trial is about a second, and measured right after a run (InfluxDB
 * still settling what the run wrote) it came out anywhere from 276k to 600k lines/s on one day,
 * where trials on the machine at rest gave 430–520k. A ratio to a low trial flatters us.
 */
export async function measureInfluxCeiling(options: CeilingBaselineOptions): Promise<CeilingBaseline> {
  const database = new BenchDatabase(options.influxUrl, options.database);
  await database.create();
  const writer = createPointWriter({
    url: options.influxUrl,
    api: 'v1',
    database: options.database,
    org: '',
    bucket: '',
  });
  try {
    const cpu = new CpuWatch({
      influxd: pidListeningOn(Number(new URL(options.influxUrl).port || 8086)),
      writer: process.pid,
    });
    cpu.start();
    const trials: CeilingResult[] = [];
    for (let i = 0; i < Math.max(1, options.trials); i++)
      trials.push(
        await measureWriteCeiling(writer, {
          lines: options.lines,
          batchSize: options.batchSize,
          concurrency: options.concurrency,
        }),
      );
    const { perProcessPercentOfCore, perProcessCpuMs } = cpu.stop();
    const best = trials.reduce((a, b) => (b.linesPerSecond > a.linesPerSecond ? b : a));
    return {
      ...best,
      trialLinesPerSecond: trials.map((t) => t.linesPerSecond),
      batchSize: options.batchSize,
      concurrency: options.concurrency,
      fieldsPerLine: 4,
      cpuPercentOfCore: perProcessPercentOfCore,
      influxdUsPerLine: usPerLine(perProcessCpuMs.influxd, trials),
    };
  } finally {
    await writer.close();
    await database.drop();
  }
}

/** CPU ms spent over the trials → µs per line written in them. */
export function usPerLine(cpuMs: number | undefined, trials: readonly CeilingResult[]): number | undefined {
  const lines = trials.reduce((sum, t) => sum + t.lines, 0);
  return cpuMs === undefined || lines === 0 ? undefined : (cpuMs * 1000) / lines;
}
