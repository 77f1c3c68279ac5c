import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { AppConfig } from '@citypulse/config';
import { QUEUES } from '@citypulse/contracts';
import { readHandoffDepth } from '@citypulse/handoff';
import { connectRedis, openQueue } from '@citypulse/redis';
import { testConfig, flushPrefix, waitFor } from '@citypulse/testing';
import { InfluxQueryClient, showRetentionPolicies } from '@citypulse/storage';
import type { Logger } from '@citypulse/observability';
import { startCitypulse, type AppName, type Citypulse } from '../src/run-apps.js';

/**
 * One isolated citypulse for a test file: its own Redis prefix and InfluxDB database, the real
 * broker on an ephemeral port, and helpers to talk to it as a device and as an operator.
 */
export class TestCitypulse {
  private constructor(
    readonly config: AppConfig,
    readonly running: Citypulse,
    readonly influx: InfluxQueryClient,
  ) {}

  /** `logger`: the process's root logger, for a test that reads the log lines. */
  static async start(
    overrides: Record<string, string> = {},
    apps?: AppName[],
    options: { logger?: Logger } = {},
  ): Promise<TestCitypulse> {
    const config = testConfig(overrides);
    const influx = new InfluxQueryClient({
      url: config.influx.url,
      database: config.influx.database,
      token: config.influx.token,
    });
    await influx.createDatabase(config.influx.database);
    const running = await startCitypulse(config, apps, options);
    return new TestCitypulse(config, running, influx);
  }

  /** Resolves once ingest has set retention up in the background (raw, 1-minute and 1-hour policies). */
  async retentionReady(): Promise<void> {
    await waitFor(
      () => showRetentionPolicies(this.influx, this.config.influx.database),
      (p) => p.length === 3,
      { what: 'retention policies set up by ingest' },
    );
  }

  get mqttUrl(): string {
    return `mqtt://127.0.0.1:${this.running.mqttPort}`;
  }

  async api(
    method: string,
    path: string,
    body?: unknown,
    token = this.config.http.adminToken,
  ): Promise<{ status: number; body: any }> {
    const response = await fetch(`http://127.0.0.1:${this.running.httpPort}${path}`, {
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

  /** An API token issued with the admin token (POST /tokens); the token itself, shown once. */
  async issueToken(name: string, role: 'admin' | 'operator', cities?: string[]): Promise<string> {
    const { status, body } = await this.api('POST', '/tokens', { name, role, ...(cities && { cities }) });
    if (status !== 201) throw new Error(`issuing token ${name} failed: ${status} ${JSON.stringify(body)}`);
    return body.token as string;
  }

  async provision(device: { id: string; type: string; city: string; site: string }): Promise<string> {
    const { status, body } = await this.api('POST', '/devices', device);
    if (status !== 201) throw new Error(`provisioning ${device.id} failed: ${status} ${JSON.stringify(body)}`);
    return body.secret as string;
  }

  /** Connects as a device over real TCP, with Nagle off as recommended to firmware authors. */
  async connectDevice(id: string, secret: string, options: IClientOptions = {}): Promise<MqttClient> {
    const client = await mqtt.connectAsync(this.mqttUrl, {
      clientId: id,
      username: id,
      password: secret,
      protocolVersion: 4,
      reconnectPeriod: 0,
      ...options,
    });
    (client.stream as unknown as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
    return client;
  }

  /**
   * Resolves once every reading PUBACKed so far has been through rule evaluation: the hand-off streams
   * hold no entry (ingest acknowledges a batch only after it queued the batch's rule-evaluation jobs)
   * and the rule-evaluation queue has no job waiting, running or retrying. What those readings raise
   * is in the alert store by then, so a test can check that something did NOT happen without waiting
   * a fixed time for it.
   */
  async rulesCaughtUp(timeoutMs = 30_000): Promise<void> {
    const redis = connectRedis(this.config, 'test-caught-up');
    const queue = openQueue(this.config, QUEUES.ruleEvaluation);
    try {
      await waitFor(
        async () => {
          const depth = await readHandoffDepth(redis, this.config.redis.prefix, this.config.handoff.partitions);
          if (depth.entries > 0) return { handoffEntries: depth.entries };
          const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
          return { handoffEntries: 0, ruleJobs: Object.values(counts).reduce((a, b) => a + b, 0) };
        },
        (s) => s.handoffEntries === 0 && s.ruleJobs === 0,
        { timeoutMs, what: 'the hand-off and rule evaluation to catch up' },
      );
    } finally {
      await queue.close();
      redis.disconnect();
    }
  }

  async stop(): Promise<void> {
    await this.running.close();
    await this.influx.dropDatabase(this.config.influx.database).catch(() => undefined);
    await flushPrefix(this.config);
  }
}
