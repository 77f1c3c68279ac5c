import { Queue } from 'bullmq';
import mqtt, { type IClientOptions, type IConnackPacket, type IPublishPacket, type MqttClient } from 'mqtt';
import { loadConfig, type AppConfig } from '@citypulse/config';
import { bullConnection, bullPrefix } from '@citypulse/core';
import { QUEUES } from '@citypulse/contracts';
import { DeviceClient } from '@citypulse/device-client';
import { InfluxQueryClient } from '@citypulse/storage';
import { AppProcess, flushPrefix, startRig, testEnv, uniqueName, waitFor } from '@citypulse/testing';
import { startCitypulse, type Citypulse } from '../../src/run-apps.js';

export type BrokerName = 'broker-a' | 'broker-b';
const WORKERS = ['ingest-1', 'ingest-2', 'alerts-1', 'alerts-2'] as const;
type WorkerName = (typeof WORKERS)[number];

/** What a process logs once it is up (libs/core/src/run-process.ts). */
interface Started {
  mqttPort?: number;
  healthPort?: number;
}

/**
 * citypulse scaled out as it would run on several machines, on this one: two brokers sharing their
 * MQTT state through Redis (CP_MQTT_CLUSTER=redis), two ingest and two alerts workers, each its own
 * OS process with its own instance id, and the api (in this process). One Redis prefix and one
 * InfluxDB database for the whole deployment; one Redis or a Redis Cluster.
 */
export class ScaleOutRig {
  readonly influx: InfluxQueryClient;
  private api?: Citypulse;
  /** Devices, operators and publishers a test opened, closed before the processes stop. */
  private readonly closers: Array<() => Promise<unknown>> = [];

  private constructor(
    readonly config: AppConfig,
    private readonly processes: Record<BrokerName | WorkerName, AppProcess>,
  ) {
    this.influx = new InfluxQueryClient({ url: config.influx.url, database: config.influx.database });
  }

  /** `redisEnv`: where the deployment's Redis is, e.g. `{ CP_REDIS_CLUSTER_NODES }` for a Redis Cluster. */
  static async start(redisEnv: Record<string, string> = {}): Promise<ScaleOutRig> {
    // The deadman check would only add noise here; brokers pick their own ports and log them. The
    // checks read every rule-evaluation job of a run and its readings (ruleFeedByDevice, ruleEvaluatedBy): keep them
    // all.
    const env = testEnv({
      CP_MQTT_CLUSTER: 'redis',
      CP_INFLUX_API: 'v1',
      CP_ALERT_DEADMAN_INTERVAL_MS: '3600000',
      CP_RULE_JOBS_KEPT: '100000',
      CP_RULE_FEEDS_KEPT_S: '3600',
      ...redisEnv,
    });
    const names = ['broker-a', 'broker-b', ...WORKERS] as const;
    const processes = Object.fromEntries(
      names.map((name) => [
        name,
        new AppProcess(name.replace(/-.*/, '') as 'broker' | 'ingest' | 'alerts', {
          ...env,
          CP_INSTANCE_ID: `${env.CP_INSTANCE_ID}-${name}`,
        }),
      ]),
    );
    const rig = new ScaleOutRig(loadConfig(env), processes as Record<BrokerName | WorkerName, AppProcess>);
    return startRig(rig, async () => {
      await rig.influx.createDatabase(rig.config.influx.database);
      await Promise.all(Object.values(rig.processes).map((p) => p.start(90_000)));
      rig.api = await startCitypulse(rig.config, ['api']);
    });
  }

  instanceId(name: BrokerName | WorkerName): string {
    return `${this.config.instanceId}-${name}`;
  }

  mqttUrl(broker: BrokerName): string {
    return `mqtt://127.0.0.1:${this.mqttPort(broker)}`;
  }

  mqttPort(broker: BrokerName): number {
    return this.started(broker).mqttPort!;
  }

  async request(
    method: string,
    path: string,
    body?: unknown,
    token = this.config.http.adminToken,
  ): Promise<{ status: number; body: any }> {
    const response = await fetch(`http://127.0.0.1:${this.api!.httpPort}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  /** Closes `close` (a connection a test opened) when the rig stops. */
  closeOnStop(close: () => Promise<unknown>): void {
    this.closers.push(close);
  }

  /** An mqtt.js device login on `broker` that remembers its CONNACK and every message, from the first packet on. */
  async connectDevice(
    broker: BrokerName,
    device: { id: string; secret: string },
    options: IClientOptions = {},
  ): Promise<{ client: MqttClient; connack: IConnackPacket; messages: IPublishPacket[] }> {
    const client = mqtt.connect(this.mqttUrl(broker), {
      clientId: device.id,
      username: device.id,
      password: device.secret,
      protocolVersion: 4,
      reconnectPeriod: 0,
      ...options,
    });
    const messages: IPublishPacket[] = [];
    client.on('message', (_topic, _payload, packet) => messages.push(packet));
    const connack = await new Promise<IConnackPacket>((resolve, reject) =>
      client.once('connect', resolve).once('error', reject),
    );
    this.closeOnStop(() => client.endAsync(true));
    return { client, connack, messages };
  }

  /** A read-only operator login (a fresh operator token) on `broker`. */
  async connectOperator(broker: BrokerName): Promise<MqttClient> {
    const name = uniqueName('ops-');
    const { body: issued } = await this.request('POST', '/tokens', { name, role: 'operator' });
    const operator = await mqtt.connectAsync(this.mqttUrl(broker), {
      clientId: `operator:${name}`,
      username: `operator:${name}`,
      password: issued.token,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    this.closeOnStop(() => operator.endAsync(true));
    return operator;
  }

  /** A command sent through the API reaches a device on either broker and its answer comes back. */
  async expectCommandsOnEitherBroker(): Promise<void> {
    for (const broker of ['broker-a', 'broker-b'] as const) {
      const meter = await this.provisionMeter(uniqueName('cmd-'));
      const device = new DeviceClient({
        url: this.mqttUrl(broker),
        deviceId: meter.id,
        secret: meter.secret,
        backoff: { initialMs: 100, maxMs: 400, factor: 2 },
      }).handleCommand('reset-demand', () => 'reset');
      this.closeOnStop(() => device.close());
      await device.start();
      await waitFor(
        async () => (await this.request('GET', `/devices/${meter.id}`)).body.presence,
        (p) => p.online === true && p.brokerId === this.instanceId(broker),
        { what: `online on ${broker}` },
      );
      const { body: command } = await this.request('POST', `/devices/${meter.id}/commands`, { name: 'reset-demand' });
      const done = await waitFor(
        async () => (await this.request('GET', `/devices/${meter.id}/commands/${command.id}`)).body,
        (c) => c.status === 'succeeded',
        { what: `the command answered through ${broker}` },
      );
      expect(done).toMatchObject({ result: 'reset', deliveredAt: expect.any(String) });
    }
  }

  async provisionMeter(id: string): Promise<{ id: string; secret: string }> {
    const { status, body } = await this.request('POST', '/devices', {
      id,
      type: 'electricity-meter',
      city: 'tianjin',
      site: 'tj-grid-1',
    });
    if (status !== 201) throw new Error(`provisioning ${id}: ${status} ${JSON.stringify(body)}`);
    return { id, secret: body.secret as string };
  }

  /** Stored electricity-meter rows per `${deviceId}@${epochMs}`: a count above 1 is a duplicate. */
  async storedRows(): Promise<Map<string, number>> {
    const rows = new Map<string, number>();
    for (const r of await this.influx.query('SELECT voltage, device_id FROM energy', { epoch: 'ms' })) {
      const key = `${String(r.device_id)}@${String(r.time)}`;
      rows.set(key, (rows.get(key) ?? 0) + 1);
    }
    return rows;
  }

  /** An unlabelled counter on one worker's own /metrics (0 before its first count). */
  async counter(name: WorkerName, metric: string): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${this.started(name).healthPort}/metrics`)).text();
    return Number(new RegExp(`^${metric} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  }

  /** Readings each ingest worker wrote to InfluxDB. */
  async readingsStoredBy(): Promise<Record<'ingest-1' | 'ingest-2', number>> {
    const metric = 'citypulse_readings_stored_total';
    return { 'ingest-1': await this.counter('ingest-1', metric), 'ingest-2': await this.counter('ingest-2', metric) };
  }

  /** The instance ids of the workers that completed rule-evaluation jobs. */
  async ruleEvaluatedBy(): Promise<Set<string>> {
    const queue = new Queue(QUEUES.ruleEvaluation, {
      connection: bullConnection(this.config),
      prefix: bullPrefix(this.config),
    });
    try {
      return new Set(
        (await queue.getJobs(['completed'], 0, 1000))
          .map((job) => job.processedBy)
          .filter((by): by is string => by !== undefined),
      );
    } finally {
      await queue.close();
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.closers.map((close) => close().catch(() => undefined)));
    await this.api?.close();
    await Promise.all(Object.values(this.processes).map((p) => p.stop()));
    await this.influx.dropDatabase(this.config.influx.database).catch(() => undefined);
    await flushPrefix(this.config);
  }

  private started(name: BrokerName | WorkerName): Started {
    const line = this.processes[name].logs.split('\n').find((l) => l.includes('"citypulse started"'));
    if (!line) throw new Error(`${name} has not started:\n${this.processes[name].logs}`);
    return JSON.parse(line) as Started;
  }
}
