import hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import type { Packet } from 'mqtt-packet';
import { MeterReadings } from './meter-readings.js';
import { MqttConnection, type TlsConnect } from './mqtt-connection.js';
import { RateGate } from './rate-gate.js';

export interface Publisher {
  clientId: string;
  username?: string;
  password?: string;
  topic: string;
  /** Seeds the device's values, so runs are repeatable. */
  seed: number;
  /** The broker port this publisher connects to, when not `LoadOptions.port` (devices spread over several brokers). */
  port?: number;
}

export interface LoadOptions {
  host: string;
  port: number;
  publishers: Publisher[];
  /** QoS 1 publishes awaiting PUBACK per connection. */
  window: number;
  durationMs: number;
  /** Readings per second over all connections; 0 = as fast as PUBACKs come back. */
  rate: number;
  /** Readings per publish: 1 sends `{ts, values}`, more send `{"readings": [...]}`. */
  batch: number;
  /** Once time is up, how long to wait for the PUBACKs still outstanding. */
  settleTimeoutMs: number;
  /**
   * Publishes sent in this first part of the run count in every total but their PUBACK latency
   * goes to `warmupAckLatency`, not `ackLatency`: the first second pays for JIT compilation,
   * Redis and InfluxDB connection pools filling and V8 growing its heap, which is not the
   * steady state a latency target is about. @defaultValue 0
   */
  warmupMs?: number;
  /** Publish over TLS (the broker's TLS listener at `port`). */
  tls?: TlsConnect;
  /** CONNECTs in flight at once (each costs the broker a scrypt verification the first time). @defaultValue 32 */
  connectConcurrency?: number;
}

export interface LatencySummary {
  count: number;
  meanUs: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
}

export interface LoadResult {
  messagesPublished: number;
  readingsPublished: number;
  messagesAcked: number;
  readingsAcked: number;
  /** Epoch ms of the first PUBLISH, the moment publishing stopped, and the last PUBACK. */
  firstPublishAt: number;
  publishStoppedAt: number;
  lastAckAt: number;
  /** Publish → PUBACK per message sent after the warm-up. */
  ackLatency: LatencySummary;
  /** Publish → PUBACK per message sent during the warm-up (count 0 without one). */
  warmupAckLatency: LatencySummary;
  /** Readings PUBACKed in each second of the publish phase: shows whether the rate held. */
  readingsAckedPerSecond: number[];
  /** Publishes never acknowledged (connection lost, or still outstanding at the settle timeout). */
  unacked: number;
  connectionsLost: number;
  /** This process's CPU over the publish phase, so the generator's own share is visible. */
  generatorCpuMs: { user: number; system: number };
}

interface PublisherState {
  connection: MqttConnection;
  topic: string;
  readings: MeterReadings;
  /** Free message ids. Ids are the slots 1..window, reused once acknowledged [MQTT-2.3.1-2]. */
  free: number[];
  /** performance.now() of the publish holding each id; 0 when free. */
  sentAt: Float64Array;
  lost: boolean;
}

/**
 * N devices publishing QoS 1 telemetry over real TCP as fast as the broker acknowledges, each
 * with a bounded window of publishes in flight. Every PUBACK frees a slot that is refilled at
 * once, so the broker's acknowledgement rate — not a timer — sets the pace (unless `rate` caps it).
 */
export class LoadGenerator {
  private readonly latency = buildLatencyHistogram();
  private readonly warmupLatency = buildLatencyHistogram();
  /** performance.now() before which a publish belongs to the warm-up. */
  private warmupEndsAt = 0;
  private readonly gate?: RateGate;
  private stopping = false;
  private inFlight = 0;
  private messagesPublished = 0;
  private messagesAcked = 0;
  private connectionsLost = 0;
  private firstPublishAt = 0;
  private lastAckAt = 0;
  private onSettled?: () => void;

  private constructor(
    private readonly options: LoadOptions,
    private readonly publishers: PublisherState[],
  ) {
    if (options.rate > 0) this.gate = new RateGate(options.rate);
  }

  /** Opens every connection and waits for all CONNACKs; the clock starts only in `run`. */
  static async connect(options: LoadOptions): Promise<LoadGenerator> {
    const states: PublisherState[] = [];
    const queue = [...options.publishers];
    const openNext = async (): Promise<void> => {
      for (let p = queue.shift(); p; p = queue.shift()) {
        const connection = await MqttConnection.open({
          host: options.host,
          port: p.port ?? options.port,
          clientId: p.clientId,
          username: p.username,
          password: p.password,
          tls: options.tls,
        });
        const free = Array.from({ length: options.window }, (_, i) => options.window - i);
        states.push({
          connection,
          topic: p.topic,
          readings: new MeterReadings(p.seed),
          free,
          sentAt: new Float64Array(options.window + 1),
          lost: false,
        });
      }
    };
    try {
      await Promise.all(Array.from({ length: options.connectConcurrency ?? 32 }, openNext));
    } catch (err) {
      await Promise.all(states.map((s) => s.connection.close()));
      throw err;
    }
    return new LoadGenerator(options, states);
  }

  /** Publishes for `durationMs`, then waits for outstanding PUBACKs. `onStop` runs the moment publishing stops. */
  async run(onStop?: () => void): Promise<LoadResult> {
    for (const p of this.publishers) {
      p.connection.onPacket = (packet) => this.onPacket(p, packet);
      p.connection.onClose = () => this.onLost(p);
    }
    const cpuBefore = process.cpuUsage();
    this.firstPublishAt = Date.now();
    this.warmupEndsAt = performance.now() + (this.options.warmupMs ?? 0);
    const perSecond: number[] = [];
    let lastReadingsAcked = 0;
    const second = setInterval(() => {
      perSecond.push(this.readingsAcked - lastReadingsAcked);
      lastReadingsAcked = this.readingsAcked;
    }, 1000);
    // With a rate cap, PUBACKs alone would not restart connections that ran out of budget.
    let turn = 0;
    const ticker = this.gate ? setInterval(() => this.pumpAll(turn++), 2) : undefined;
    this.pumpAll(0);

    await new Promise((resolve) => setTimeout(resolve, this.options.durationMs));
    this.stopping = true;
    const publishStoppedAt = Date.now();
    onStop?.();
    clearInterval(ticker);
    clearInterval(second);
    const cpu = process.cpuUsage(cpuBefore);
    await this.settle();

    return {
      messagesPublished: this.messagesPublished,
      readingsPublished: this.messagesPublished * this.options.batch,
      messagesAcked: this.messagesAcked,
      readingsAcked: this.readingsAcked,
      firstPublishAt: this.firstPublishAt,
      publishStoppedAt,
      lastAckAt: this.lastAckAt,
      ackLatency: summarise(this.latency),
      warmupAckLatency: summarise(this.warmupLatency),
      readingsAckedPerSecond: perSecond,
      unacked: this.messagesPublished - this.messagesAcked,
      connectionsLost: this.connectionsLost,
      generatorCpuMs: { user: cpu.user / 1000, system: cpu.system / 1000 },
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.publishers.map((p) => p.connection.close()));
  }

  /** Counts so far, read while `run` goes on (a soak samples them each minute). */
  progress(): { readingsPublished: number; readingsAcked: number; connectionsLost: number } {
    return {
      readingsPublished: this.messagesPublished * this.options.batch,
      readingsAcked: this.readingsAcked,
      connectionsLost: this.connectionsLost,
    };
  }

  private get readingsAcked(): number {
    return this.messagesAcked * this.options.batch;
  }

  private pumpAll(turn: number): void {
    const n = this.publishers.length;
    // Start at a different connection each tick so a tight rate budget is shared fairly.
    for (let k = 0; k < n; k++) {
      const p = this.publishers[(turn + k) % n];
      p.connection.socket.cork();
      this.pump(p);
      p.connection.socket.uncork();
    }
  }

  private pump(p: PublisherState): void {
    const { batch } = this.options;
    while (!this.stopping && !p.lost && p.free.length > 0) {
      if (this.gate && !this.gate.take(batch)) return;
      const messageId = p.free.pop()!;
      p.sentAt[messageId] = performance.now();
      p.connection.write({
        cmd: 'publish',
        topic: p.topic,
        payload: p.readings.payload(batch),
        qos: 1,
        messageId,
        retain: false,
        dup: false,
      });
      this.messagesPublished++;
      this.inFlight++;
    }
  }

  private onPacket(p: PublisherState, packet: Packet): void {
    if (packet.cmd !== 'puback') return;
    const id = packet.messageId ?? 0;
    const sentAt = p.sentAt[id];
    if (!sentAt) return; // not ours to count (a duplicate PUBACK)
    const now = performance.now();
    const histogram = sentAt < this.warmupEndsAt ? this.warmupLatency : this.latency;
    histogram.recordValue(Math.max(1, Math.round((now - sentAt) * 1000)));
    p.sentAt[id] = 0;
    p.free.push(id);
    this.messagesAcked++;
    this.inFlight--;
    this.lastAckAt = Date.now();
    if (this.stopping) {
      if (this.inFlight === 0) this.onSettled?.();
    } else {
      this.pump(p);
    }
  }

  private onLost(p: PublisherState): void {
    if (p.lost) return;
    p.lost = true;
    this.connectionsLost++;
    // Its outstanding publishes will never be acknowledged: stop waiting for them.
    this.inFlight -= this.options.window - p.free.length;
    if (this.stopping && this.inFlight === 0) this.onSettled?.();
  }

  private settle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, this.options.settleTimeoutMs);
      this.onSettled = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

function buildLatencyHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 600_000_000,
    numberOfSignificantValueDigits: 3,
  });
}

function summarise(h: Histogram): LatencySummary {
  return {
    count: h.totalCount,
    meanUs: Math.round(h.mean),
    p50Us: h.getValueAtPercentile(50),
    p90Us: h.getValueAtPercentile(90),
    p99Us: h.getValueAtPercentile(99),
    p999Us: h.getValueAtPercentile(99.9),
    maxUs: h.maxValue,
  };
}
