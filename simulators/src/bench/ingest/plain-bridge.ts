import { fork, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deviceTypes } from '@citypulse/devices';
import { BenchDatabase } from '../common/influx-count.js';
import type { LatencySummary } from '../common/load-generator.js';
import { connectMeterLoad, type MeterLoad } from '../common/meter-load.js';
import { METER_FIELDS } from '../common/meter-readings.js';
import { CpuWatch, pidListeningOn, type CpuUse } from '../common/proc-stats.js';
import { BENCH_DEVICE_TYPE, type BenchDevice } from '../common/provision.js';
import { usPerReading } from './baseline-ratios.js';
import { BRIDGE_DEFAULTS, bridgeArgv, type BridgeArgs, type BridgeMessage } from './bridge-lines.js';
import { startMosquitto, stopChild } from './mosquitto-process.js';

const SUBSCRIBER = fileURLToPath(new URL('./plain-bridge-subscriber.js', import.meta.url));

export interface PlainBridgeOptions {
  mosquitto: string;
  /** Mosquitto's config and log, the subscriber's output. */
  workDir: string;
  /** The devices of our pass: the same client ids, topics and seeds. */
  devices: readonly BenchDevice[];
  /** Our pass's load: the same window, rate, batch, duration and warm-up. */
  load: MeterLoad;
  subscriberQos: 0 | 1;
  influxUrl: string;
  /** A throw-away database, created here and always dropped. */
  database: string;
  drainTimeoutS: number;
  /** Node flags of the subscriber process (our service's production flags, so the runtimes match). */
  nodeArgs: string[];
}

export interface PlainBridgeBaseline {
  mosquittoVersion: string;
  subscriberQos: 0 | 1;
  batchLines: number;
  flushMs: number;
  maxWritesInFlight: number;
  nodeArgs: string[];
  durationS: number;
  messagesPublished: number;
  readingsPublished: number;
  messagesAcked: number;
  /** PUBACKed by Mosquitto to the load generator. */
  readingsAcked: number;
  /** Counted in InfluxDB. */
  stored: number;
  /** readingsAcked − stored: what a bridge without durability drops (or could not write). */
  lost: number;
  /** The subscriber reported every PUBACKed reading written before the drain timeout. */
  drained: boolean;
  /** First publish → the subscriber reported stored ≥ PUBACKed (or the timeout). */
  endToEndS: number;
  endToEndReadingsPerSecond: number;
  publishPhaseReadingsPerSecond: number;
  ackLatency: LatencySummary;
  influxWrites: { count: number; failedLines: number; lastError?: string };
  /** Over the publish phase, % of one core per process; `others` high means the figure is noisy. */
  cpuPercentOfCore: Record<string, number>;
  /** CPU µs per stored reading, first publish → stored, per process (bridge = the subscriber). */
  cpuUsPerReading: Record<string, number>;
}

/**
 * The plain-bridge baseline: Mosquitto → one Node subscriber (mqtt.js, JSON.parse, a template
 * string per line, 5,000-line / 100 ms batches POSTed to InfluxDB) → a throw-away database, with
 * no authentication, validation or durability — driven by our pass's load generator, devices,
 * rate, QoS and duration, and counted the same way: stored in InfluxDB ÷ first publish → stored.
 * Our readings/s are quoted as a multiple of it.
 */
export async function measurePlainBridge(options: PlainBridgeOptions): Promise<PlainBridgeBaseline> {
  const database = new BenchDatabase(options.influxUrl, options.database);
  await database.create();
  const broker = await startMosquitto(options.mosquitto, options.workDir);
  let subscriber: ChildProcess | undefined;
  try {
    const args: BridgeArgs = {
      mqttUrl: `mqtt://127.0.0.1:${broker.port}`,
      influxUrl: options.influxUrl,
      database: options.database,
      measurement: deviceTypes[BENCH_DEVICE_TYPE].measurement,
      qos: options.subscriberQos,
      ...BRIDGE_DEFAULTS,
    };
    const output = openSync(join(options.workDir, 'plain-bridge.log'), 'w');
    subscriber = fork(SUBSCRIBER, bridgeArgv(args), {
      execArgv: options.nodeArgs,
      stdio: ['ignore', output, output, 'ipc'],
    });
    const progress = new BridgeProgress(subscriber);
    await progress.ready();

    const generator = await connectMeterLoad(broker.port, options.devices, options.load);
    const pids = {
      mosquitto: broker.pid,
      bridge: subscriber.pid,
      generator: process.pid,
      influxd: pidListeningOn(Number(new URL(options.influxUrl).port || 8086)),
    };
    const publishCpu = new CpuWatch(pids);
    const toStoredCpu = new CpuWatch(pids);
    let publishUse: CpuUse | undefined;
    publishCpu.start();
    toStoredCpu.start();
    const load = await generator.run(() => (publishUse = publishCpu.stop()));
    await generator.close();

    const reachedAt = await progress.written(load.readingsAcked, options.drainTimeoutS * 1000);
    const toStored = toStoredCpu.stop();
    const stored = await database.countPoints(args.measurement, METER_FIELDS[0]);
    const endToEndS = Math.max(0.001, ((reachedAt ?? Date.now()) - load.firstPublishAt) / 1000);
    const publishPhaseS = Math.max(0.001, (load.publishStoppedAt - load.firstPublishAt) / 1000);
    return {
      mosquittoVersion: broker.version,
      subscriberQos: options.subscriberQos,
      batchLines: args.batchLines,
      flushMs: args.flushMs,
      maxWritesInFlight: args.maxWritesInFlight,
      nodeArgs: options.nodeArgs,
      durationS: options.load.durationS,
      messagesPublished: load.messagesPublished,
      readingsPublished: load.readingsPublished,
      messagesAcked: load.messagesAcked,
      readingsAcked: load.readingsAcked,
      stored,
      lost: load.readingsAcked - stored,
      drained: reachedAt !== undefined,
      endToEndS,
      endToEndReadingsPerSecond: Math.round(stored / endToEndS),
      publishPhaseReadingsPerSecond: Math.round(load.readingsAcked / publishPhaseS),
      ackLatency: load.ackLatency,
      influxWrites: progress.writes(),
      cpuPercentOfCore: publishUse?.perProcessPercentOfCore ?? {},
      cpuUsPerReading: usPerReading(toStored.perProcessCpuMs, stored),
    };
  } finally {
    if (subscriber) await stopChild(subscriber);
    await broker.stop();
    await database.drop();
  }
}

/** The subscriber's reports over IPC: ready, then its totals after each write, each with the moment it came. */
class BridgeProgress {
  private readonly totals: Array<{ at: number; lines: number }> = [];
  private last: Extract<BridgeMessage, { type: 'written' }> = { type: 'written', lines: 0, writes: 0, failedLines: 0 };
  private lastError?: string;
  private readonly isReady: Promise<void>;

  constructor(private readonly child: ChildProcess) {
    this.isReady = new Promise((resolve, reject) => {
      child.once('exit', (code, signal) =>
        reject(new Error(`the plain-bridge subscriber exited (${signal ?? `code ${code}`}) before subscribing`)),
      );
      child.on('message', (message: BridgeMessage) => {
        if (message.type === 'ready') resolve();
        else {
          this.last = message;
          this.lastError = message.error ?? this.lastError;
          // A failed write is not retried: its lines are done with (lost), so they count towards the target too.
          this.totals.push({ at: Date.now(), lines: message.lines + message.failedLines });
        }
      });
    });
  }

  ready(): Promise<void> {
    return this.isReady;
  }

  /** When the subscriber first reported `target` lines written or failed (waiting up to `timeoutMs`). */
  async written(target: number, timeoutMs: number): Promise<number | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const reached = this.totals.find((t) => t.lines >= target);
      if (reached) return reached.at;
      if (Date.now() > deadline || this.child.exitCode !== null) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  writes(): PlainBridgeBaseline['influxWrites'] {
    return { count: this.last.writes, failedLines: this.last.failedLines, lastError: this.lastError };
  }
}
