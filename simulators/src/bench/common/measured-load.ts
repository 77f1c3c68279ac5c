import { deviceTypes } from '@citypulse/devices';
import { log } from './bench-log.js';
import type { Cleanup } from './cleanup.js';
import { waitForStored, type DrainResult } from './drain.js';
import type { BenchDatabase } from './influx-count.js';
import type { LoadResult } from './load-generator.js';
import { connectMeterLoad, type MeterLoad } from './meter-load.js';
import { METER_FIELDS } from './meter-readings.js';
import { BENCH_DEVICE_TYPE, type BenchDevice } from './provision.js';

export interface MeasuredLoadOptions {
  /** The brokers' MQTT ports; the devices are dealt out over them in turn. */
  mqttPorts: readonly number[];
  devices: readonly BenchDevice[];
  load: MeterLoad;
  /** Every citypulse process's /metrics base URL: the drain waits on their stored-readings counter. */
  metricsUrls: readonly string[];
  token: string;
  /** The run's own database: its point count is what "stored" means. */
  database: BenchDatabase;
  drainTimeoutS: number;
  /**
   * What earlier loads of the same run left (the TLS pass after the TCP one): stored counter and points, counted from
   * there.
   */
  before?: { storedCounter: number; points: number };
  cleanup: Cleanup;
  /** Runs just before the first publish, with every device connected (start CPU watches here). */
  onPublishStart?: () => void | Promise<void>;
  /** Runs the moment publishing stops (PUBACKs may still be on their way). */
  onPublishStop?: () => void;
}

export interface MeasuredLoad {
  load: LoadResult;
  drain: DrainResult;
  /** Points of the bench measurement in the run's database after the drain: the ground truth. */
  stored: number;
}

/**
 * The core of every throughput bench: connect the provisioned meters, publish QoS 1 telemetry
 * for the set duration, wait until the service reports every PUBACKed reading stored (or the
 * drain times out), then count what InfluxDB really has. Lost = readingsAcked − stored.
 */
export async function runMeasuredLoad(o: MeasuredLoadOptions): Promise<MeasuredLoad> {
  const generator = await connectMeterLoad(o.mqttPorts, o.devices, o.load);
  o.cleanup.add('close connections', () => generator.close());
  const brokers = o.mqttPorts.length > 1 ? ` over ${o.mqttPorts.length} brokers` : '';
  log(
    `${o.devices.length} devices connected${brokers}; publishing for ${o.load.durationS} ` +
      `s${o.load.rate > 0 ? ` at ${o.load.rate} readings/s` : ''}`,
  );
  await o.onPublishStart?.();
  const load = await generator.run(o.onPublishStop);
  await generator.close();
  o.cleanup.done('close connections');

  log(
    `published ${load.readingsPublished} readings, ${load.readingsAcked} PUBACKed; waiting for InfluxDB to ` +
      `have them all`,
  );
  const before = o.before ?? { storedCounter: 0, points: 0 };
  const drain = await waitForStored(
    o.metricsUrls,
    o.token,
    before.storedCounter + load.readingsAcked,
    o.drainTimeoutS * 1000,
  );
  if (drain.reachedAt === undefined)
    log(`NOT DRAINED after ${o.drainTimeoutS} s: the service reports ${drain.stored} of ${load.readingsAcked} stored`);
  const stored =
    (await o.database.countPoints(deviceTypes[BENCH_DEVICE_TYPE].measurement, METER_FIELDS[0])) - before.points;
  return { load, drain, stored };
}

/**
 * Readings/s of one measured load, PUBACKed (first publish → last PUBACK) and end to end (→ drained); lost = PUBACKed −
 * stored.
 */
export interface LoadRates {
  readingsAckedPerS: number;
  endToEndPerS: number;
  lost: number;
}

export function loadRates(m: MeasuredLoad): LoadRates {
  const { load } = m;
  const ackedS = Math.max(1, load.lastAckAt - load.firstPublishAt) / 1000;
  const endS = Math.max(1, (m.drain.reachedAt ?? load.lastAckAt) - load.firstPublishAt) / 1000;
  return {
    readingsAckedPerS: load.readingsAcked / ackedS,
    endToEndPerS: m.stored / endS,
    lost: Math.max(0, load.readingsAcked - m.stored),
  };
}
