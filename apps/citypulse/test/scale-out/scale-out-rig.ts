import { Queue } from 'bullmq';
import { loadConfig, type AppConfig } from '@citypulse/config';
import { bullConnection, bullPrefix } from '@citypulse/core';
import { QUEUES } from '@citypulse/contracts';
import { InfluxQueryClient } from '@citypulse/storage';
import { AppProcess, flushPrefix, testEnv } from '@citypulse/testing';
import { startCitypulse, type Citypulse } from '../../src/run-apps.js';

export type BrokerName = 'broker-a' | 'broker-b';
const WORKERS = ['ingest-1', 'ingest-2', 'alerts-1', 'alerts-2'] as const;
type WorkerName = (typeof WORKERS)[number];

/** What a process logs once it is up (apps/citypulse/src/main-process.ts). */
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

  private constructor(
    readonly config: AppConfig,
    private readonly processes: Record<BrokerName | WorkerName, AppProcess>,
  ) {
    this.influx = new InfluxQueryClient({ url: config.influx.url, database: config.influx.database });
  }

  /** `redisEnv`: where the deployment's Redis is, e.g. `{ CP_REDIS_CLUSTER_NODES }` for a Redis Cluster. */
  static async start(redisEnv: Record<string, string> = {}): Promise<ScaleOutRig> {
    // The deadman check would only add noise here; brokers pick their own ports and log them.
    const env = testEnv({ CP_MQTT_CLUSTER: 'redis', CP_INFLUX_API: 'v1', CP_ALERT_DEADMAN_INTERVAL_MS: '3600000', ...redisEnv });
    const names = ['broker-a', 'broker-b', ...WORKERS] as const;
    const processes = Object.fromEntries(names.map((name) => [name, new AppProcess(name.replace(/-.*/, '') as 'broker' | 'ingest' | 'alerts', { ...env, CP_INSTANCE_ID: `${env.CP_INSTANCE_ID}-${name}` })]));
    const rig = new ScaleOutRig(loadConfig(env), processes as Record<BrokerName | WorkerName, AppProcess>);
    await rig.influx.createDatabase(rig.config.influx.database);
    try {
      await Promise.all(Object.values(rig.processes).map((p) => p.start(90_000)));
      rig.api = await startCitypulse(rig.config, ['api']);
    } catch (err) {
      // A process that did not start must not outlive the test, nor the others that did.
      await rig.stop().catch(() => undefined);
      throw err;
    }
    return rig;
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

  async request(method: string, path: string, body?: unknown, token = this.config.http.adminToken): Promise<{ status: number; body: any }> {
    const response = await fetch(`http://127.0.0.1:${this.api!.httpPort}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  async provisionMeter(id: string): Promise<{ id: string; secret: string }> {
    const { status, body } = await this.request('POST', '/devices', { id, type: 'electricity-meter', city: 'tianjin', site: 'tj-grid-1' });
    if (status !== 201) throw new Error(`provisioning ${id}: ${status} ${JSON.stringify(body)}`);
    return { id, secret: body.secret as string };
  }

  /** Stored electricity-meter rows per `${deviceId}@${epochMs}`: a count above 1 is a duplicate. */
  async storedRows(): Promise<Map<string, number>> {
    const rows = new Map<string, number>();
    for (const r of await this.influx.query('SELECT voltage, device_id FROM energy', { epoch: 'ms' })) {
      const key = `${r.device_id}@${r.time}`;
      rows.set(key, (rows.get(key) ?? 0) + 1);
    }
    return rows;
  }

  /** Readings each ingest worker wrote to InfluxDB, from its own /metrics. */
  async readingsStoredBy(): Promise<Record<'ingest-1' | 'ingest-2', number>> {
    const count = async (name: 'ingest-1' | 'ingest-2') => {
      const text = await (await fetch(`http://127.0.0.1:${this.started(name).healthPort}/metrics`)).text();
      return Number(/^citypulse_readings_stored_total (\d+)/m.exec(text)?.[1] ?? 0);
    };
    return { 'ingest-1': await count('ingest-1'), 'ingest-2': await count('ingest-2') };
  }

  /** The instance ids of the workers that completed rule-evaluation jobs. */
  async ruleEvaluatedBy(): Promise<Set<string>> {
    const queue = new Queue(QUEUES.ruleEvaluation, { connection: bullConnection(this.config), prefix: bullPrefix(this.config) });
    try {
      return new Set((await queue.getJobs(['completed'], 0, 1000)).map((job) => job.processedBy).filter((by): by is string => by !== undefined));
    } finally {
      await queue.close();
    }
  }

  async stop(): Promise<void> {
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
