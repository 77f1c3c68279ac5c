import { DeviceLink } from './device-link.js';
import { dueAt, shiftPayload } from './pace.js';
import { newStats, type SendStats } from './send-stats.js';

/** One publish to send: what a capture line or a live simulation step carries. */
export interface OutgoingPublish {
  t: number;
  deviceId: string;
  payload: string;
  reconnect?: boolean;
}

export interface SendOptions {
  mqttUrl: string;
  /** Secret of every device that may publish. */
  secrets: ReadonlyMap<string, string>;
  /** Simulated ms per wall ms; Infinity sends as fast as the broker acknowledges. */
  speed: number;
  /** Simulated time that maps to the start of sending. */
  captureStartMs: number;
  /** Added to device timestamps (0 keeps them: a backfill). */
  shiftMs: number;
  /** Publishes queued but not yet acknowledged, at most; the source waits beyond it. @defaultValue 20000 */
  maxPending?: number;
  /** CONNECTs in flight at once (each costs the broker a credential check). @defaultValue 16 */
  connectConcurrency?: number;
  /** Asked for a fresh secret when the broker refuses a device's credentials; the device is skipped if absent. */
  refreshSecret?: (deviceId: string) => Promise<string>;
  /** For the first few failures (the summary counts them all). */
  log?: (line: string) => void;
}

interface DeviceQueue {
  items: OutgoingPublish[];
  head: number;
  running: boolean;
  link?: DeviceLink;
  dead?: boolean;
}

/**
 * Sends publishes to the broker as the devices they belong to, paced by simulated time (or as
 * fast as possible), keeping each device's order: a device's next publish waits for the PUBACK
 * of its previous one, so readings reach the pipeline in the order they were made. Different
 * devices are independent, so a slow one does not hold up the rest.
 */
export class Sender {
  readonly stats: SendStats;
  private readonly queues = new Map<string, DeviceQueue>();
  private pending = 0;
  private waiters: Array<() => void> = [];
  private connecting = 0;
  private connectWaiters: Array<() => void> = [];
  private lastErrorAt = 0;
  private failuresLogged = 0;

  constructor(private readonly options: SendOptions) {
    this.stats = newStats(Date.now());
  }

  /** Sends everything from `source`, then waits for the last PUBACKs and error-topic messages. */
  async run(source: AsyncIterable<OutgoingPublish> | Iterable<OutgoingPublish>): Promise<SendStats> {
    const wallStart = Date.now();
    this.stats.startedAtMs = wallStart;
    const maxPending = this.options.maxPending ?? 20_000;
    for await (const publish of source) {
      const wait = dueAt(publish.t, this.options.captureStartMs, wallStart, this.options.speed) - Date.now();
      if (wait > 2) await sleep(wait);
      while (this.pending >= maxPending) await new Promise<void>((resolve) => this.waiters.push(resolve));
      this.enqueue(publish);
    }
    while (this.pending > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
    await this.settleErrors();
    this.stats.finishedAtMs = Date.now();
    return this.stats;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map(async (q) => q.link?.close().catch(() => undefined)));
  }

  private enqueue(publish: OutgoingPublish): void {
    let queue = this.queues.get(publish.deviceId);
    if (!queue) {
      queue = { items: [], head: 0, running: false };
      this.queues.set(publish.deviceId, queue);
    }
    queue.items.push(publish);
    this.pending++;
    if (!queue.running) void this.pump(publish.deviceId, queue);
  }

  private async pump(deviceId: string, queue: DeviceQueue): Promise<void> {
    queue.running = true;
    while (queue.head < queue.items.length) {
      const publish = queue.items[queue.head];
      queue.items[queue.head++] = undefined as unknown as OutgoingPublish;
      await this.sendOne(deviceId, queue, publish);
      this.pending--;
      this.stats.simTimeMs = Math.max(this.stats.simTimeMs, publish.t);
      this.wake();
    }
    queue.items = [];
    queue.head = 0;
    queue.running = false;
  }

  private async sendOne(deviceId: string, queue: DeviceQueue, publish: OutgoingPublish): Promise<void> {
    if (queue.dead) {
      this.stats.failed++;
      return;
    }
    try {
      if (!queue.link) queue.link = await this.open(deviceId);
      else if (publish.reconnect) {
        await queue.link.reconnect();
        this.stats.reconnects++;
      }
      this.stats.sent++;
      await queue.link.publish(shiftPayload(publish.payload, this.options.shiftMs));
      this.stats.acked++;
    } catch (err) {
      this.stats.failed++;
      if (!queue.link) queue.dead = true;
      if (this.failuresLogged++ < 5) this.options.log?.(`${deviceId}: ${(err as Error).message}`);
    }
  }

  private async open(deviceId: string): Promise<DeviceLink> {
    while (this.connecting >= (this.options.connectConcurrency ?? 16))
      await new Promise<void>((resolve) => this.connectWaiters.push(resolve));
    this.connecting++;
    try {
      const secret = this.options.secrets.get(deviceId);
      if (secret === undefined) throw new Error('no secret for this device: was it provisioned?');
      const onErrors = (message: { rejected: Array<{ reason: string }> }) => {
        this.lastErrorAt = Date.now();
        for (const r of message.rejected)
          this.stats.rejectedByReason[r.reason] = (this.stats.rejectedByReason[r.reason] ?? 0) + 1;
      };
      try {
        return await DeviceLink.open({ mqttUrl: this.options.mqttUrl, deviceId, secret, onErrors });
      } catch (err) {
        // CONNACK 4 (bad user name or password): our secret is stale; one fresh try if we can get one.
        if ((err as { code?: number }).code !== 4 || !this.options.refreshSecret) throw err;
        return await DeviceLink.open({
          mqttUrl: this.options.mqttUrl,
          deviceId,
          secret: await this.options.refreshSecret(deviceId),
          onErrors,
        });
      }
    } finally {
      this.connecting--;
      this.connectWaiters.shift()?.();
    }
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Error-topic messages can trail the last PUBACK: wait until they stop (at most a few seconds). */
  private async settleErrors(): Promise<void> {
    const since = Date.now();
    const deadline = since + 5000;
    while (Date.now() < deadline && Date.now() - Math.max(this.lastErrorAt, since) < 500) await sleep(100);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
