import { parseArgs } from 'node:util';

/**
 * The plain bridge's whole reading path, kept as a plain bridge would write it: JSON.parse the
 * payload, one line of line protocol per reading from a template string, no validation, no
 * escaping. The device id comes from the topic (`devices/{id}/telemetry`); the device's `ts` (epoch
 * ms with a µs fraction) is written at µs precision, so a device's readings never share a point.
 */
export function bridgeLines(topic: string, payload: Buffer | string, measurement: string): string[] {
  const deviceId = topic.slice(topic.indexOf('/') + 1, topic.lastIndexOf('/'));
  const body = JSON.parse(payload.toString()) as BridgeReading | { readings: BridgeReading[] };
  const readings = 'readings' in body ? body.readings : [body];
  const lines: string[] = [];
  for (const { ts, values } of readings) {
    let fields = '';
    for (const name in values) fields += `${fields === '' ? '' : ','}${name}=${values[name]}`;
    lines.push(`${measurement},device_id=${deviceId} ${fields} ${Math.round((ts ?? Date.now()) * 1000)}`);
  }
  return lines;
}

interface BridgeReading {
  ts?: number;
  values: Record<string, number>;
}

/** How the bench starts the plain-bridge subscriber (plain-bridge-subscriber.ts). */
export interface BridgeArgs {
  mqttUrl: string;
  influxUrl: string;
  database: string;
  measurement: string;
  qos: 0 | 1;
  /** A write goes out at this many lines, or `flushMs` after the first line waiting, whichever comes first. */
  batchLines: number;
  flushMs: number;
  /** Writes to InfluxDB in flight at once; more batches wait for one to finish. */
  maxWritesInFlight: number;
}

export const BRIDGE_DEFAULTS = { batchLines: 5000, flushMs: 100, maxWritesInFlight: 2 } as const;

/** The subscriber's command line → its settings; throws one error naming every bad argument. */
export function parseBridgeArgs(argv: string[]): BridgeArgs {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      'mqtt-url': { type: 'string' },
      'influx-url': { type: 'string' },
      database: { type: 'string' },
      measurement: { type: 'string' },
      qos: { type: 'string', default: '1' },
      'batch-lines': { type: 'string', default: String(BRIDGE_DEFAULTS.batchLines) },
      'flush-ms': { type: 'string', default: String(BRIDGE_DEFAULTS.flushMs) },
      'max-writes-in-flight': { type: 'string', default: String(BRIDGE_DEFAULTS.maxWritesInFlight) },
    },
  });
  const problems: string[] = [];
  const text = (name: 'mqtt-url' | 'influx-url' | 'database' | 'measurement') => {
    const value = values[name];
    if (!value) problems.push(`--${name} is required`);
    return value ?? '';
  };
  const int = (name: 'qos' | 'batch-lines' | 'flush-ms' | 'max-writes-in-flight', min: number, max: number) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min || n > max)
      problems.push(`--${name} must be an integer from ${min} to ${max}, not ${String(values[name])}`);
    return n;
  };
  const args: BridgeArgs = {
    mqttUrl: text('mqtt-url'),
    influxUrl: text('influx-url').replace(/\/+$/, ''),
    database: text('database'),
    measurement: text('measurement'),
    qos: int('qos', 0, 1) as 0 | 1,
    batchLines: int('batch-lines', 1, 1_000_000),
    flushMs: int('flush-ms', 1, 60_000),
    maxWritesInFlight: int('max-writes-in-flight', 1, 64),
  };
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return args;
}

/** The inverse of parseBridgeArgs: what the bench passes. */
export function bridgeArgv(args: BridgeArgs): string[] {
  return [
    `--mqtt-url=${args.mqttUrl}`,
    `--influx-url=${args.influxUrl}`,
    `--database=${args.database}`,
    `--measurement=${args.measurement}`,
    `--qos=${args.qos}`,
    `--batch-lines=${args.batchLines}`,
    `--flush-ms=${args.flushMs}`,
    `--max-writes-in-flight=${args.maxWritesInFlight}`,
  ];
}

/** What the subscriber tells the bench over IPC. */
export type BridgeMessage =
  | { type: 'ready' }
  /** Totals after each write: lines InfluxDB accepted, writes done, lines whose write failed (lost: no retry). */
  | { type: 'written'; lines: number; writes: number; failedLines: number; error?: string };
