import mqtt, { type MqttClient } from 'mqtt';
import { deviceTopic } from '@citypulse/contracts';
import { Metrics } from '@citypulse/observability';
import { freePort, uniqueName } from '@citypulse/testing';
import { startCitypulse, type Citypulse } from '../src/run-apps.js';
import { TestCitypulse } from './harness.js';

const STORM_RATE = 200;
/** CP_CITY_RATE_BLOCK_MS=50 of 200 readings/s: blocks of 10 readings. */
const BLOCK = 10;
const BROKERS = 2;

/**
 * One city's rate is one budget for all brokers: a city storming two brokers at full speed gets
 * its rate in total (plus at most one block per broker), not its rate per broker; another city on
 * the same brokers is not held back at all.
 */
describe('per-city rate limits across brokers', () => {
  let cp: TestCitypulse;
  let b: Citypulse;
  let bPort: number;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    const overrides = {
      CP_CITY_MAX_READINGS_PER_S: '0',
      CP_CITY_READINGS_PER_S_OVERRIDES: `stormcity=${STORM_RATE},calmcity=1000`,
      CP_CITY_RATE_MAX_HOLD_MS: '1000',
      CP_CITY_RATE_BLOCK_MS: '50',
    };
    cp = await TestCitypulse.start(overrides, ['broker', 'api']);
    bPort = await freePort();
    b = await startCitypulse(
      { ...cp.config, instanceId: `${cp.config.instanceId}-b`, mqtt: { ...cp.config.mqtt, port: bPort } },
      ['broker'],
    );
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync()));
    await b?.close();
    await cp?.stop();
  });

  const brokers = () => [
    { app: cp.running, port: cp.running.mqttPort! },
    { app: b, port: bPort },
  ];
  async function device(city: string, port: number) {
    const id = uniqueName(`${city}-`);
    const secret = await cp.provision({ id, type: 'env-sensor', city, site: `${city}-1` });
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
      clientId: id,
      username: id,
      password: secret,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    clients.push(client);
    return { id, client };
  }
  const batch = (n: number) =>
    JSON.stringify({
      readings: Array.from({ length: n }, (_, i) => ({ ts: Date.now() - 60_000 + i, values: { temperature: 21 } })),
    });
  async function accepted(): Promise<number> {
    const counts = await Promise.all(
      brokers().map(async ({ app }) => (await app.app.get(Metrics).readingsAccepted.get()).values[0]?.value ?? 0),
    );
    return counts.reduce((sum, n) => sum + n, 0);
  }
  async function limited(city: string): Promise<Record<string, number>> {
    const totals: Record<string, number> = {};
    for (const { app } of brokers()) {
      for (const v of (await app.app.get(Metrics).cityRateLimited.get()).values) {
        if (v.labels.city === city)
          totals[String(v.labels.outcome)] = (totals[String(v.labels.outcome)] ?? 0) + v.value;
      }
    }
    return totals;
  }

  it('keeps a city storming two brokers within its one rate, while another city flows untouched', async () => {
    const storm = await Promise.all(brokers().flatMap(({ port }) => [0, 1, 2].map(() => device('stormcity', port))));
    const calm = await Promise.all(brokers().map(({ port }) => device('calmcity', port)));
    const before = await accepted();

    // Every storm device publishes batches of 10 as fast as its PUBACKs come back, for 3 s.
    const startedAt = Date.now();
    const stopAt = startedAt + 3000;
    const storming = storm.map(async ({ id, client }) => {
      while (Date.now() < stopAt) await client.publishAsync(deviceTopic(id, 'telemetry'), batch(10), { qos: 1 });
    });
    // Meanwhile the calm city sends 100 single readings from each broker, well under its 1,000/s.
    let calmSent = 0;
    const calming = calm.map(async ({ id, client }) => {
      for (let i = 0; i < 100; i++, calmSent++)
        await client.publishAsync(deviceTopic(id, 'telemetry'), batch(1), { qos: 1 });
    });
    await Promise.all([...storming, ...calming]);
    const elapsedS = (Date.now() - startedAt) / 1000;

    const stormAccepted = (await accepted()) - before - calmSent;
    // One second of capacity, the rate over the time taken, and at most a block per broker beyond.
    const ceiling = STORM_RATE * (1 + elapsedS) + BROKERS * BLOCK;
    expect(stormAccepted).toBeLessThanOrEqual(ceiling);
    // The budget was really used, and really exceeded (PUBACKs held back; per broker it would have allowed twice as
    // much).
    expect(stormAccepted).toBeGreaterThanOrEqual(STORM_RATE * elapsedS * 0.5);
    expect((await limited('stormcity')).held).toBeGreaterThan(0);
    expect(await limited('calmcity')).toEqual({});
  });
});
