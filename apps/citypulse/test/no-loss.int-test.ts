import {
  AppProcess,
  PrivateInflux,
  SteadyPublisher,
  testEnv,
  uniqueName,
  waitFor,
  flushPrefix,
  freePort,
} from '@citypulse/testing';
import { loadConfig } from '@citypulse/config';
import { InfluxQueryClient } from '@citypulse/storage';
import { startCitypulse, type Citypulse } from '../src/run-apps.js';
import { scrape } from './observability/scrape.js';

/**
 * "Nothing acknowledged is lost" (ARCHITECTURE.md), shown against real failures: InfluxDB
 * stopping mid-stream, the ingest worker killed with SIGKILL, the broker killed with SIGKILL.
 * Each test publishes steadily at QoS 1 through the failure and checks every PUBACKed reading
 * is in InfluxDB exactly once.
 */
const meterValues = () => ({
  voltage: 228 + Math.random() * 4,
  current: 5,
  active_power: 1.1,
  power_factor: 0.95,
  frequency: 50,
});

class Scenario {
  readonly env: Record<string, string>;
  readonly config;
  readonly influx: InfluxQueryClient;
  service?: Citypulse;
  publisher?: SteadyPublisher;

  constructor(overrides: Record<string, string>) {
    this.env = testEnv(overrides);
    this.config = loadConfig(this.env);
    this.influx = new InfluxQueryClient({ url: this.config.influx.url, database: this.config.influx.database });
  }

  async provisionDevices(count: number, apiPort: number) {
    const devices = [];
    for (let i = 0; i < count; i++) {
      const id = uniqueName('meter-');
      const response = await fetch(`http://127.0.0.1:${apiPort}/devices`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.config.http.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id, type: 'electricity-meter', city: 'tianjin', site: 'tj-grid-1' }),
      });
      devices.push({ id, secret: ((await response.json()) as { secret: string }).secret });
    }
    return devices;
  }

  async stored(): Promise<Set<string>> {
    const rows = await this.influx.query('SELECT voltage, device_id FROM energy', { epoch: 'ms' });
    return new Set(rows.map((r) => `${String(r.device_id)}@${String(r.time)}`));
  }

  /** Waits until the devices have `more` PUBACKed readings than `than` (the service goes on acknowledging). */
  async ackedBeyond(than: number, more: number, what: string): Promise<void> {
    await waitFor(
      () => this.publisher!.acked.size,
      (n) => n > than + more,
      { what: `${more} more PUBACKed readings ${what}` },
    );
  }

  /** InfluxDB writes the ingest worker retried (its /metrics, every status). */
  async influxWriteRetries(): Promise<number> {
    const metrics = await scrape(`http://127.0.0.1:${this.service!.httpPort}`, this.config.http.adminToken);
    return metrics.samples
      .filter((sample) => sample.name === 'citypulse_influx_write_retries_total')
      .reduce((sum, sample) => sum + sample.value, 0);
  }

  /** Waits until every PUBACKed reading is stored; returns what is stored. */
  async expectNothingLost(): Promise<void> {
    const acked = this.publisher!.acked;
    expect(acked.size).toBeGreaterThan(100);
    const stored = await waitFor(
      () => this.stored(),
      (s) => [...acked].every((k) => s.has(k)),
      {
        timeoutMs: 90_000,
        intervalMs: 500,
        what: `all ${acked.size} PUBACKed readings in InfluxDB`,
      },
    );
    const lost = [...acked].filter((k) => !stored.has(k));
    expect(lost).toEqual([]);
    // Stored readings are a subset of what was sent (each point once: identity is the device's ts).
    expect(stored.size).toBeLessThanOrEqual(this.publisher!.sent);
  }

  async cleanUp(): Promise<void> {
    await this.publisher?.close();
    await this.service?.close();
    await this.influx.dropDatabase(this.config.influx.database).catch(() => undefined);
    await flushPrefix(this.config);
  }
}

describe('nothing acknowledged is lost', () => {
  it('keeps acknowledging through an InfluxDB outage and stores every acknowledged reading once it is back', async () => {
    const influxd = await PrivateInflux.create();
    await influxd.start();
    const s = new Scenario({ CP_INFLUX_URL: influxd.url, CP_INFLUX_API: 'v1' });
    try {
      await s.influx.createDatabase(s.config.influx.database);
      s.service = await startCitypulse(s.config);
      s.publisher = new SteadyPublisher(
        `mqtt://127.0.0.1:${s.service.mqttPort}`,
        await s.provisionDevices(3, s.service.httpPort!),
        meterValues,
      );
      await s.publisher.connect();
      s.publisher.start();
      await s.ackedBeyond(0, 200, 'before the outage');

      await influxd.stop();
      const ackedBeforeOutage = s.publisher.acked.size;
      // The outage lasts until the ingest worker has failed to write and retried, and the broker went
      // on acknowledging: readings wait in Redis, not in memory.
      await waitFor(
        () => s.influxWriteRetries(),
        (retries) => retries > 0,
        { what: 'a retried InfluxDB write during the outage' },
      );
      await s.ackedBeyond(ackedBeforeOutage, 100, 'during the outage');

      await influxd.start();
      await s.ackedBeyond(s.publisher.acked.size, 100, 'after the outage');
      await s.publisher.stop();
      await s.expectNothingLost();
    } finally {
      await s.cleanUp();
      await influxd.destroy();
    }
  });

  it('loses nothing when the ingest worker is killed with SIGKILL mid-stream and restarted', async () => {
    const s = new Scenario({});
    const ingest = new AppProcess('ingest', s.env);
    try {
      await s.influx.createDatabase(s.config.influx.database);
      s.service = await startCitypulse(s.config, ['broker', 'api']);
      await ingest.start();
      s.publisher = new SteadyPublisher(
        `mqtt://127.0.0.1:${s.service.mqttPort}`,
        await s.provisionDevices(3, s.service.httpPort!),
        meterValues,
      );
      await s.publisher.connect();
      s.publisher.start();
      // Readings stored before the kill: the worker is mid-stream when it dies.
      await waitFor(
        () => s.stored(),
        (stored) => stored.size > 0,
        { what: 'readings stored before the kill' },
      );

      await ingest.kill();
      // Acknowledged while no ingest worker runs: they wait in the hand-off for the next one.
      await s.ackedBeyond(s.publisher.acked.size, 200, 'with the ingest worker dead');
      await ingest.start();
      await s.ackedBeyond(s.publisher.acked.size, 200, 'after the restart');
      await s.publisher.stop();
      await s.expectNothingLost();
    } finally {
      await ingest.stop();
      await s.cleanUp();
    }
  });

  it('loses nothing acknowledged when the broker is killed with SIGKILL and devices reconnect to its replacement', async () => {
    const s = new Scenario({ CP_MQTT_PORT: String(await freePort()) });
    const broker = new AppProcess('broker', s.env);
    try {
      await s.influx.createDatabase(s.config.influx.database);
      s.service = await startCitypulse(s.config, ['ingest', 'api']);
      await broker.start();
      s.publisher = new SteadyPublisher(
        `mqtt://127.0.0.1:${s.config.mqtt.port}`,
        await s.provisionDevices(3, s.service.httpPort!),
        meterValues,
      );
      await s.publisher.connect();
      s.publisher.start();
      await s.ackedBeyond(0, 200, 'before the kill');

      await broker.kill();
      await broker.start();
      // The devices reconnected to the replacement by themselves and it acknowledges again.
      await s.ackedBeyond(s.publisher.acked.size, 200, 'by the replacement broker');
      await s.publisher.stop();
      await s.expectNothingLost();
    } finally {
      await broker.stop();
      await s.cleanUp();
    }
  });
});
