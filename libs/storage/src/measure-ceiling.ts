import type { Reading } from '@citypulse/contracts';
import { toLine } from './line-protocol.js';
import type { PointWriter } from './point-writer.js';

export interface CeilingOptions {
  /** Total lines to write. */
  lines: number;
  /** Lines per request. */
  batchSize: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** Measurement to write into; use a throw-away one. @defaultValue 'ceiling' */
  measurement?: string;
  /** Distinct devices (series) the lines are spread over. @defaultValue 1000 */
  devices?: number;
}

export interface CeilingResult {
  linesPerSecond: number;
  lines: number;
  elapsedMs: number;
  batches: number;
}

/**
 * InfluxDB's own write ceiling through a PointWriter: pre-built bodies of realistic points
 * (4 float fields, the four standard tags) written as fast as `concurrency` allows. Bodies are
 * built before the clock starts, so this measures the server and the HTTP path, not us.
 * A failed write rejects: a ceiling measured with errors would be meaningless.
 */
export async function measureWriteCeiling(writer: PointWriter, options: CeilingOptions): Promise<CeilingResult> {
  const bodies = buildBodies(options);
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    for (let i = next++; i < bodies.length; i = next++) await writer.write(bodies[i].text, bodies[i].count);
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  return {
    linesPerSecond: Math.round(options.lines / (elapsedMs / 1000)),
    lines: options.lines,
    elapsedMs,
    batches: bodies.length,
  };
}

function buildBodies(options: CeilingOptions): Array<{ text: string; count: number }> {
  const devices = options.devices ?? 1000;
  const measurement = options.measurement ?? 'ceiling';
  const perDevice = Math.ceil(options.lines / devices);
  // One point per device per second, ending now: recent enough for any retention (VictoriaMetrics rejects old samples).
  const startNs = BigInt(Date.now() - perDevice * 1000) * 1_000_000n;
  const bodies: Array<{ text: string; count: number }> = [];
  let batch: string[] = [];
  for (let i = 0; i < options.lines; i++) {
    const device = i % devices;
    const reading: Reading = {
      deviceId: `ceiling-${device}`,
      deviceType: 'env-sensor',
      city: `city-${device % 8}`,
      site: `site-${device % 64}`,
      measurement,
      timeNs: (startNs + BigInt(Math.floor(i / devices)) * 1_000_000_000n).toString(),
      values: { temperature: 20 + (i % 100) / 10, humidity: 40 + (i % 37), co2: 400 + (i % 700), occupancy: i % 25 },
    };
    batch.push(toLine(reading)!);
    if (batch.length === options.batchSize) {
      bodies.push({ text: batch.join('\n'), count: batch.length });
      batch = [];
    }
  }
  if (batch.length > 0) bodies.push({ text: batch.join('\n'), count: batch.length });
  return bodies;
}
