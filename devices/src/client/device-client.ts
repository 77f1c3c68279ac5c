import { EventEmitter } from 'node:events';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import {
  deviceTopic,
  type CommandAck,
  type CommandMessage,
  type ConfigMessage,
  type ConfigValue,
  type DeviceErrorMessage,
  type FieldValue,
  type FirmwareReport,
  type StateMessage,
} from '@citypulse/contracts';
import { backoffDelayMs, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { parseCommandMessage, parseConfigMessage, parseErrorMessage } from './incoming.js';
import { Outbox } from './outbox.js';
import { RecentIds } from './recent-ids.js';

/** One reading as the telemetry topic takes it (devices/README.md). */
export interface DeviceReading {
  /** Epoch ms or ISO-8601; stamped with the device clock when the reading is queued, if absent. */
  ts?: number | string;
  values: Record<string, FieldValue>;
}

export interface DeviceClientOptions {
  /** `mqtt://host:port`, or `mqtts://host:port` with TLS settings in `mqtt`. */
  url: string;
  deviceId: string;
  /** The secret issued at provisioning. */
  secret: string;
  /** @defaultValue 30 */
  keepaliveS?: number;
  /**
   * Readings kept while the broker is unreachable; beyond it the oldest are dropped and counted. @defaultValue 10000
   */
  bufferCapacity?: number;
  /** Telemetry publishes awaiting their PUBACK at once. @defaultValue 8 */
  maxInFlight?: number;
  /** Readings per publish when catching up on a backlog (one batch payload). @defaultValue 100 */
  maxBatch?: number;
  /** Reconnect delays: exponential with jitter. @defaultValue 1 s doubling to 60 s */
  backoff?: BackoffOptions;
  /** Give up on a connection attempt (and back off) after this long without CONNACK. @defaultValue 10000 */
  connectTimeoutMs?: number;
  /** Extra mqtt.js options, e.g. `ca` for TLS. Identity, session, will and reconnect settings are the client's own. */
  mqtt?: IClientOptions;
  /** Randomness for the jitter (tests pass a seeded one). */
  random?: () => number;
}

/** Runs a command; what it returns is the ack's `result`, what it throws the ack's `error`. */
export type CommandHandler = (params: Record<string, ConfigValue>, command: CommandMessage) => unknown;
/**
 * Applies a desired configuration; what it returns is reported as the device's state (return nothing to report
 * yourself).
 */
export type ConfigHandler = (
  desired: Record<string, ConfigValue>,
  message: ConfigMessage,
) => Record<string, ConfigValue | null> | void | Promise<Record<string, ConfigValue | null> | void>;

export interface DeviceClientStats {
  /** Readings waiting for a connection (or for room in the in-flight window). */
  queued: number;
  /** Readings published and awaiting their PUBACK. */
  inFlight: number;
  /** Readings the broker acknowledged (accepted or rejected: rejections arrive as `rejection` events). */
  acked: number;
  /** Readings dropped because the offline buffer was full. */
  dropped: number;
  /** Readings (and state messages, acks) the broker rejected, from the errors topic. */
  rejected: number;
  /** Successful connections so far. */
  connects: number;
}

export interface DeviceClientEvents {
  connected: [];
  disconnected: [];
  reconnecting: [{ attempt: number; delayMs: number }];
  /** A refused CONNACK, an unreachable broker, a refused subscription: the client keeps retrying. */
  'connect-error': [Error];
  /** Something the device published was rejected (devices/{id}/errors). */
  rejection: [DeviceErrorMessage];
  config: [ConfigMessage];
  command: [CommandMessage];
  acked: [readings: number];
  dropped: [readings: number];
  /** A command or config handler threw where no ack could carry it. */
  'handler-error': [Error];
}

interface ControlMessage {
  topic: string;
  payload: string;
}

/**
 * The device side of the citypulse topic contract (devices/README.md), on mqtt.js:
 * - connects as the device (client id = username = device id) with Nagle off and a last will on
 *   its state topic, and reconnects itself with jittered exponential backoff (mqtt.js' own
 *   reconnectPeriod is fixed, which brings a whole fleet back in one wave);
 * - publishes telemetry QoS 1 through a bounded offline buffer: readings published while
 *   disconnected, or sent but not acknowledged when the connection dropped, go out after the
 *   reconnect; when the buffer is full the oldest are dropped and counted;
 * - receives desired configuration and commands, acts once per command id and acks it; reports
 *   state; surfaces rejections from its error topic.
 *
 * State messages and command acks have a lane of their own, so a telemetry backlog never pushes
 * an ack out of the buffer.
 */
export class DeviceClient extends EventEmitter<DeviceClientEvents> {
  private readonly telemetry: Outbox<DeviceReading>;
  private readonly control: Outbox<ControlMessage>;
  private readonly commandHandlers = new Map<string, CommandHandler>();
  private readonly seenCommands = new RecentIds();
  private configHandler?: ConfigHandler;
  private lastConfigVersion = 0;
  private client?: MqttClient;
  /** Which connection attempt is current; callbacks of older ones are ignored. */
  private generation = 0;
  private online = false;
  private closing = false;
  private started = false;
  private attempt = 0;
  private reconnectTimer?: NodeJS.Timeout;
  private readonly counters = { acked: 0, rejected: 0, connects: 0 };
  private readonly firstConnection: Promise<void>;
  private settleFirst!: { resolve: () => void; reject: (err: Error) => void };

  constructor(private readonly options: DeviceClientOptions) {
    super();
    this.telemetry = new Outbox(options.bufferCapacity ?? 10_000, options.maxInFlight ?? 8, options.maxBatch ?? 100);
    this.control = new Outbox(1000, 4, 1);
    this.firstConnection = new Promise((resolve, reject) => (this.settleFirst = { resolve, reject }));
    // A caller that never awaits start() must not get an unhandled rejection from close().
    this.firstConnection.catch(() => undefined);
  }

  /** Starts connecting; resolves at the first successful connection (retrying until then). */
  start(): Promise<void> {
    if (!this.started) {
      this.started = true;
      this.connect();
    }
    return this.firstConnection;
  }

  get isConnected(): boolean {
    return this.online;
  }

  get stats(): DeviceClientStats {
    return {
      queued: this.telemetry.queued,
      inFlight: this.telemetry.inFlightItems,
      dropped: this.telemetry.dropped,
      ...this.counters,
    };
  }

  /** Queues a reading for QoS 1 delivery; sent at once when connected, after the reconnect otherwise. */
  publish(reading: DeviceReading): void {
    const stamped = reading.ts === undefined ? { ts: Date.now(), values: reading.values } : reading;
    const dropped = this.telemetry.add(stamped);
    if (dropped > 0) this.emit('dropped', dropped);
    this.pump();
  }

  /** Reports configuration the device now runs (merged into its shadow's reported side; null removes a key). */
  reportState(reported: Record<string, ConfigValue | null>): void {
    const message: StateMessage = { reported };
    this.sendControl(deviceTopic(this.options.deviceId, 'state'), message);
  }

  /** Reports the firmware it runs and, during an update, the step reached (devices/README.md, *Firmware updates*). */
  reportFirmware(firmware: FirmwareReport): void {
    const message: StateMessage = { firmware };
    this.sendControl(deviceTopic(this.options.deviceId, 'state'), message);
  }

  /** Runs `handler` for every command named `name` (once per command id) and acks with its outcome. */
  handleCommand(name: string, handler: CommandHandler): this {
    this.commandHandlers.set(name, handler);
    return this;
  }

  /** Runs `handler` for every new desired configuration; what it returns is reported back. */
  onConfig(handler: ConfigHandler): this {
    this.configHandler = handler;
    return this;
  }

  /**
   * Ends the session with DISCONNECT (so the broker discards the last will) and stops reconnecting.
   * With `drainMs`, first waits up to that long for everything queued to be acknowledged.
   */
  async close(options: { drainMs?: number } = {}): Promise<void> {
    if (options.drainMs && this.online) await this.drained(options.drainMs);
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    const wasOnline = this.online;
    this.online = false;
    this.generation++;
    this.settleFirst.reject(new Error('closed before connecting'));
    if (!client) return;
    if (wasOnline) await client.endAsync().catch(() => client.end(true));
    else client.end(true);
  }

  private connect(): void {
    const generation = ++this.generation;
    const { deviceId } = this.options;
    const will: StateMessage = { online: false };
    const client = mqtt.connect(this.options.url, {
      ...this.options.mqtt,
      clientId: deviceId,
      username: deviceId,
      password: this.options.secret,
      protocolVersion: 4,
      clean: true,
      keepalive: this.options.keepaliveS ?? 30,
      connectTimeout: this.options.connectTimeoutMs ?? 10_000,
      // Reconnecting is ours (jittered backoff); every attempt is a fresh mqtt.js client.
      reconnectPeriod: 0,
      will: {
        topic: deviceTopic(deviceId, 'state'),
        payload: Buffer.from(JSON.stringify(will)),
        qos: 1,
        retain: false,
      },
    });
    this.client = client;
    // Nagle would hold small publishes (and so their PUBACKs) back for tens of milliseconds.
    (client.stream as unknown as { setNoDelay?: (on: boolean) => void } | undefined)?.setNoDelay?.(true);
    client.on('connect', () => this.connected(client, generation));
    client.on('message', (topic, payload) => {
      if (generation === this.generation) this.received(topic, payload);
    });
    client.on('error', (err) => {
      if (generation === this.generation) this.emit('connect-error', err);
    });
    client.once('close', () => this.lost(client, generation));
  }

  private connected(client: MqttClient, generation: number): void {
    if (generation !== this.generation) return;
    this.online = true;
    this.attempt = 0;
    this.counters.connects++;
    const id = this.options.deviceId;
    // Subscribing is what makes the broker send the desired config and any waiting commands.
    const topics = [deviceTopic(id, 'errors'), deviceTopic(id, 'config'), deviceTopic(id, 'commands')];
    client.subscribe(topics, { qos: 1 }, (err, granted) => {
      if (generation !== this.generation) return;
      const refused = (granted ?? []).filter((g) => g.qos === 128).map((g) => g.topic);
      if (err || refused.length > 0)
        this.emit('connect-error', err ?? new Error(`subscription refused: ${refused.join(', ')}`));
    });
    this.emit('connected');
    this.settleFirst.resolve();
    this.pump();
  }

  private lost(client: MqttClient, generation: number): void {
    client.end(true);
    if (generation !== this.generation) return;
    const wasOnline = this.online;
    this.online = false;
    // Everything sent but not acknowledged goes out again after the reconnect.
    const dropped = this.telemetry.connectionLost();
    this.control.connectionLost();
    if (dropped > 0) this.emit('dropped', dropped);
    if (wasOnline) this.emit('disconnected');
    if (this.closing) return;
    const delayMs = backoffDelayMs(this.attempt++, this.options.backoff ?? DEFAULT_BACKOFF, this.options.random);
    this.emit('reconnecting', { attempt: this.attempt, delayMs });
    this.reconnectTimer = setTimeout(() => this.connect(), delayMs);
  }

  /** Publishes whatever the in-flight windows allow: acks and state first, then telemetry. */
  private pump(): void {
    const client = this.client;
    if (!this.online || !client) return;
    const generation = this.generation;
    for (let batch = this.control.next(); batch; batch = this.control.next()) {
      const { id, items } = batch;
      this.send(client, generation, items[0].topic, items[0].payload, () => this.control.acknowledged(id));
    }
    for (let batch = this.telemetry.next(); batch; batch = this.telemetry.next()) {
      const { id, items } = batch;
      const payload = JSON.stringify(items.length === 1 ? items[0] : { readings: items });
      this.send(client, generation, deviceTopic(this.options.deviceId, 'telemetry'), payload, () => {
        const acked = this.telemetry.acknowledged(id).length;
        this.counters.acked += acked;
        if (acked > 0) this.emit('acked', acked);
      });
    }
  }

  private send(client: MqttClient, generation: number, topic: string, payload: string, onPuback: () => void): void {
    client.publish(topic, payload, { qos: 1 }, (err) => {
      // A publish cut off by a dropped connection is given back by lost(), not here.
      if (err || generation !== this.generation) return;
      onPuback();
      this.pump();
    });
  }

  private received(topic: string, payload: Buffer): void {
    const kind = topic.slice(topic.lastIndexOf('/') + 1);
    if (kind === 'errors') return this.rejected(payload);
    if (kind === 'config') return this.desired(payload);
    if (kind === 'commands') return this.command(payload);
  }

  private rejected(payload: Buffer): void {
    const message = parseErrorMessage(payload);
    if (!message) return;
    this.counters.rejected += message.rejected.length;
    this.emit('rejection', message);
  }

  private desired(payload: Buffer): void {
    const message = parseConfigMessage(payload);
    // The broker sends the desired config at every subscribe: apply each version once.
    if (!message || message.version <= this.lastConfigVersion) return;
    this.lastConfigVersion = message.version;
    this.emit('config', message);
    const handler = this.configHandler;
    if (!handler) return;
    Promise.resolve()
      .then(() => handler(message.desired, message))
      .then(
        (applied) => {
          if (applied && Object.keys(applied).length > 0) this.reportState(applied);
        },
        (err: unknown) => this.emit('handler-error', toError(err)),
      );
  }

  private command(payload: Buffer): void {
    const command = parseCommandMessage(payload);
    // QoS 1 may deliver a command twice (a PUBACK lost with the connection): act once per id.
    if (!command || !this.seenCommands.firstTime(command.id)) return;
    this.emit('command', command);
    const handler = this.commandHandlers.get(command.name);
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`this device does not handle the command ${command.name}`);
        return handler(command.params, command);
      })
      .then(
        (result) => this.ack({ id: command.id, status: 'succeeded', ...(result !== undefined && { result }) }),
        (err: unknown) => this.ack({ id: command.id, status: 'failed', error: toError(err).message.slice(0, 1000) }),
      );
  }

  private ack(ack: CommandAck): void {
    this.sendControl(deviceTopic(this.options.deviceId, 'command-acks'), ack);
  }

  private sendControl(topic: string, message: object): void {
    this.control.add({ topic, payload: JSON.stringify(message) });
    this.pump();
  }

  private async drained(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(this.telemetry.isEmpty && this.control.isEmpty) && this.online && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
  }
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
