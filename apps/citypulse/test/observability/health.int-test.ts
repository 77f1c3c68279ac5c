import mqtt from 'mqtt';
import { flushPrefix, freePort, testConfig, uniqueName, waitFor } from '@citypulse/testing';
import { deviceTopic } from '@citypulse/contracts';
import type { AppConfig } from '@citypulse/config';
import { startCitypulse, type Citypulse } from '../../src/run-apps.js';
import { MqttBrokerService } from '../../../broker/src/index.js';
import { TestCitypulse } from '../harness.js';
import { scrape } from './scrape.js';

async function health(httpPort: number | undefined, path = '/health'): Promise<{ status: number; body: any }> {
  const response = await fetch(`http://127.0.0.1:${httpPort}${path}`);
  return { status: response.status, body: await response.json() };
}

describe('GET /health in the all-in-one process', () => {
  let cp: TestCitypulse;
  beforeAll(async () => {
    cp = await TestCitypulse.start();
  });
  afterAll(async () => {
    await cp?.stop();
  });

  it('is ready, without a token, when Redis, InfluxDB and the broker in this process answer', async () => {
    expect(await health(cp.running.httpPort)).toEqual({
      status: 200,
      body: { status: 'ok', redis: 'up', influx: 'up', broker: 'up' },
    });
  });

  it('is live without a token', async () => {
    expect(await health(cp.running.httpPort, '/health/live')).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('answers 503 naming the broker once the broker in this process stops accepting, and stays live', async () => {
    // The broker's own shutdown step (closes its listener and aedes); the rest of the process runs on.
    await cp.running.app.get(MqttBrokerService).onApplicationShutdown();
    const { status, body } = await health(cp.running.httpPort);
    expect(status).toBe(503);
    expect(body).toMatchObject({
      redis: 'up',
      influx: 'up',
      broker: 'down',
      down: ['broker'],
      message: 'not ready: broker down',
    });
    expect((await health(cp.running.httpPort, '/health/live')).status).toBe(200);
  });
});

describe('GET /health with InfluxDB unreachable', () => {
  let config: AppConfig;
  let running: Citypulse;
  beforeAll(async () => {
    // A port nothing listens on: the shared InfluxDB keeps serving the other tests.
    config = testConfig({ CP_INFLUX_URL: `http://127.0.0.1:${await freePort()}`, CP_INFLUX_API: 'v1' });
    running = await startCitypulse(config, ['api', 'broker']);
  });
  afterAll(async () => {
    await running?.close();
    await flushPrefix(config);
  });

  it('answers 503 naming InfluxDB, and only InfluxDB', async () => {
    const { status, body } = await health(running.httpPort);
    expect(status).toBe(503);
    expect(body).toMatchObject({
      statusCode: 503,
      status: 'error',
      redis: 'up',
      influx: 'down',
      broker: 'up',
      down: ['influx'],
      message: 'not ready: influx down',
    });
  });

  it('stays live', async () => {
    expect((await health(running.httpPort, '/health/live')).status).toBe(200);
  });
});

/**
 * The split layout (docker-compose.yml): the api, the broker and ingest in separate processes
 * (here: separate Nest applications sharing one Redis prefix). The api learns of brokers through
 * their heartbeats and reports the shared hand-off; each worker serves its own /metrics.
 */
describe('the split layout', () => {
  let api: TestCitypulse;
  let broker: Citypulse | undefined;
  let ingest: Citypulse | undefined;
  let device: mqtt.MqttClient | undefined;
  const apiMetrics = () => scrape(`http://127.0.0.1:${api.running.httpPort}`, api.config.http.adminToken);

  beforeAll(async () => {
    api = await TestCitypulse.start({}, ['api']);
  });
  afterAll(async () => {
    await device?.endAsync();
    await ingest?.close();
    await broker?.close();
    await api?.stop();
  });

  it('is not ready while no broker runs, and names the broker', async () => {
    const { status, body } = await health(api.running.httpPort);
    expect(status).toBe(503);
    expect(body).toMatchObject({ redis: 'up', influx: 'up', broker: 'down', down: ['broker'] });
  });

  it('is ready once a broker process heartbeats, and each process serves its own metrics', async () => {
    broker = await startCitypulse(api.config, ['broker']);
    expect(await health(api.running.httpPort)).toEqual({
      status: 200,
      body: { status: 'ok', redis: 'up', influx: 'up', broker: 'up' },
    });

    const id = uniqueName('split-');
    const secret = await api.provision({ id, type: 'env-sensor', city: 'beijing', site: 'bj-1' });
    device = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.mqttPort}`, {
      clientId: id,
      username: id,
      password: secret,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    const t0 = Date.now() - 5000;
    for (let i = 0; i < 3; i++)
      await device.publishAsync(
        deviceTopic(id, 'telemetry'),
        JSON.stringify({ ts: t0 + i, values: { temperature: 20 } }),
        { qos: 1 },
      );

    const brokerOwn = await scrape(`http://127.0.0.1:${broker.healthPort}`); // internal port, no token
    expect(brokerOwn.value('citypulse_mqtt_messages_received_total', { kind: 'telemetry' })).toBe(3);
    expect(brokerOwn.value('citypulse_mqtt_connections')).toBe(1);

    // No ingest process yet: the three readings wait in the hand-off, unread.
    const waiting = await apiMetrics();
    expect(waiting.value('citypulse_handoff_stream_readings')).toBe(3);
    expect(waiting.value('citypulse_handoff_stream_entries', { state: 'unread' })).toBeGreaterThanOrEqual(1);
    expect(waiting.value('citypulse_handoff_stream_entries', { state: 'pending' })).toBe(0);
  });

  it('counts failed InfluxDB writes by status in the ingest process, and the api shows the batch pending', async () => {
    const unreachable = testConfig({ CP_INFLUX_URL: `http://127.0.0.1:${await freePort()}`, CP_INFLUX_API: 'v1' });
    ingest = await startCitypulse({ ...api.config, influx: unreachable.influx }, ['ingest']);
    const ingestMetrics = () => scrape(`http://127.0.0.1:${ingest!.healthPort}`);
    const failing = await waitFor(
      ingestMetrics,
      (m) => (m.value('citypulse_influx_write_errors_total', { status: 'network' }) ?? 0) >= 1,
      { what: 'a failed write counted' },
    );
    expect(failing.value('citypulse_readings_stored_total')).toBe(0);
    const pending = await waitFor(
      apiMetrics,
      (m) => (m.value('citypulse_handoff_stream_entries', { state: 'pending' }) ?? 0) >= 1,
      { what: 'the entries read and pending' },
    );
    expect(pending.value('citypulse_handoff_stream_entries', { state: 'unread' })).toBe(0);
    expect(pending.value('citypulse_handoff_stream_readings')).toBe(3);
  });

  it('is not ready, naming the broker, once the broker process stops', async () => {
    await device?.endAsync();
    device = undefined;
    await broker!.close();
    broker = undefined;
    const { status, body } = await health(api.running.httpPort);
    expect(status).toBe(503);
    expect(body).toMatchObject({ broker: 'down', down: ['broker'] });
  });
});
