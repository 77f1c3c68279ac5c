import { Redis } from 'ioredis';
import { loadConfig, type AppConfig } from '@citypulse/config';
import { readHandoffBacklog } from '@citypulse/handoff';
import { InfluxQueryClient } from '@citypulse/storage';
import {
  AppProcess,
  flushPrefix,
  freePort,
  startRig,
  testEnv,
  uniqueName,
  type PublishingDevice,
} from '@citypulse/testing';

export type ProcessName = 'broker' | 'ingest' | 'alerts' | 'api';
const PROCESSES: ProcessName[] = ['broker', 'ingest', 'alerts', 'api'];

export interface RigServers {
  /** Redis URL; the shared stack's (with the test's own prefix) when absent. */
  redisUrl?: string;
  /** InfluxDB URL; the shared stack's (with the test's own database) when absent. */
  influxUrl?: string;
}

/** One stored point as the fault checks see it: which device, at which time, how many rows. */
export interface StoredPoints {
  /** `${deviceId}@${epochMs}` → rows with that device and time (more than one is a duplicate). */
  rows: Map<string, number>;
}

/**
 * citypulse deployed as production runs it — broker, ingest, alerts and api each its own OS
 * process — on fixed ports so a killed process comes back where devices look for it, and with its
 * own Redis prefix and InfluxDB database. Any one process can be SIGKILLed and restarted.
 */
export class FaultRig {
  readonly processes: Record<ProcessName, AppProcess>;
  readonly influx: InfluxQueryClient;
  private readonly redis: Redis;

  private constructor(
    readonly config: AppConfig,
    env: Record<string, string>,
    private readonly sharedRedis: boolean,
  ) {
    // Each process its own instance id (consumer names, broker id), kept across restarts so a
    // restarted ingest worker resumes its own pending entries first.
    this.processes = Object.fromEntries(
      PROCESSES.map((name) => [name, new AppProcess(name, { ...env, CP_INSTANCE_ID: `${config.instanceId}-${name}` })]),
    ) as Record<ProcessName, AppProcess>;
    this.influx = new InfluxQueryClient({ url: config.influx.url, database: config.influx.database });
    // Polls the backlog through Redis restarts: fail fast instead of queueing while it is down.
    this.redis = new Redis(config.redis.url, {
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => 200,
    });
    this.redis.on('error', () => undefined);
  }

  static async start(servers: RigServers = {}, overrides: Record<string, string> = {}): Promise<FaultRig> {
    const env = testEnv({
      CP_MQTT_PORT: String(await freePort()),
      CP_HTTP_PORT: String(await freePort()),
      CP_INFLUX_API: 'v1',
      ...(servers.redisUrl ? { CP_REDIS_URL: servers.redisUrl } : {}),
      ...(servers.influxUrl ? { CP_INFLUX_URL: servers.influxUrl } : {}),
      ...overrides,
    });
    const rig = new FaultRig(loadConfig(env), env, !servers.redisUrl);
    return startRig(rig, async () => {
      await rig.influx.createDatabase(rig.config.influx.database);
      // Four processes booting at once on a busy machine can pass the default 20 s (as ScaleOutRig allows for).
      await Promise.all(PROCESSES.map((name) => rig.processes[name].start(90_000)));
    });
  }

  get mqttUrl(): string {
    return `mqtt://127.0.0.1:${this.config.mqtt.port}`;
  }

  async api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const response = await fetch(`http://127.0.0.1:${this.config.http.port}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.config.http.adminToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  async provisionMeters(count: number): Promise<PublishingDevice[]> {
    const devices: PublishingDevice[] = [];
    for (let i = 0; i < count; i++) {
      const id = uniqueName('meter-');
      const { status, body } = await this.api('POST', '/devices', {
        id,
        type: 'electricity-meter',
        city: 'tianjin',
        site: 'tj-grid-1',
      });
      if (status !== 201) throw new Error(`provisioning ${id}: ${status} ${JSON.stringify(body)}`);
      devices.push({ id, secret: body.secret });
    }
    return devices;
  }

  /** Readings handed off but not yet in InfluxDB; undefined while Redis does not answer. */
  async backlog(): Promise<number | undefined> {
    try {
      return await readHandoffBacklog(this.redis, this.config.redis.prefix, this.config.handoff.partitions);
    } catch {
      return undefined;
    }
  }

  /** Every stored electricity-meter point, counted per (device, time) across all series. */
  async storedPoints(): Promise<StoredPoints> {
    const result = await this.influx.query('SELECT voltage, device_id FROM energy', { epoch: 'ms' });
    const rows = new Map<string, number>();
    for (const r of result) {
      const key = `${String(r.device_id)}@${String(r.time)}`;
      rows.set(key, (rows.get(key) ?? 0) + 1);
    }
    return { rows };
  }

  /** The alerts of one device (every state), as an operator sees them in GET /alerts. */
  async alertsOf(deviceId: string): Promise<Array<{ ruleId: string; deviceId: string; state: string }>> {
    const { status, body } = await this.api('GET', '/alerts?limit=1000');
    if (status !== 200) throw new Error(`GET /alerts answered ${status}: ${JSON.stringify(body)}`);
    return (body.items as Array<{ ruleId: string; deviceId: string; state: string }>).filter(
      (a) => a.deviceId === deviceId,
    );
  }

  /** The processes whose GET /health answers 200 (the api's readiness, the others' health listener: Redis answers). */
  async healthyProcesses(): Promise<ProcessName[]> {
    const answers = await Promise.all(
      PROCESSES.map(async (name) => {
        const started = this.processes[name].logs.split('\n').find((line) => line.includes('"citypulse started"'));
        const { httpPort, healthPort } = started
          ? (JSON.parse(started) as { httpPort?: number; healthPort?: number })
          : {};
        const port = httpPort ?? healthPort;
        const ok =
          port !== undefined &&
          (await fetch(`http://127.0.0.1:${port}/health`).then(
            (r) => r.ok,
            () => false,
          ));
        return ok ? name : undefined;
      }),
    );
    return answers.filter((name): name is ProcessName => name !== undefined);
  }

  async stop(): Promise<void> {
    await Promise.all(PROCESSES.map((name) => this.processes[name].stop()));
    this.redis.disconnect();
    await this.influx.dropDatabase(this.config.influx.database).catch(() => undefined);
    if (this.sharedRedis) await flushPrefix(this.config);
  }
}
