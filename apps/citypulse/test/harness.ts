import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { AppConfig } from '@citypulse/config';
import { testConfig, flushPrefix } from '@citypulse/testing';
import { InfluxQueryClient } from '@citypulse/storage';
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

  async stop(): Promise<void> {
    await this.running.close();
    await this.influx.dropDatabase(this.config.influx.database).catch(() => undefined);
    await flushPrefix(this.config);
  }
}
