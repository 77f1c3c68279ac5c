import { deviceTopic, QUEUES } from '@citypulse/contracts';
import { waitFor } from '@citypulse/testing';
import { TestCitypulse } from '../harness.js';
import { co2HighRule, connectedSensor, createRule, waitForAlerts, type TestDevice } from '../alerts/alert-helpers.js';
import { scrape, type Scrape } from './scrape.js';

/**
 * What an operator's scrape of the all-in-one process shows after real MQTT traffic: every
 * family issue #7 names, with values that follow from what the test did.
 */
describe('GET /metrics', () => {
  let cp: TestCitypulse;
  let devices: TestDevice[];
  const metrics = (): Promise<Scrape> => scrape(`http://127.0.0.1:${cp.running.httpPort}`, cp.config.http.adminToken);

  beforeAll(async () => {
    cp = await TestCitypulse.start();
    devices = [await connectedSensor(cp, 'tianjin'), await connectedSensor(cp, 'tianjin')];
  });
  afterAll(async () => {
    for (const device of devices ?? []) await device.client.endAsync();
    await cp?.stop();
  });

  it('refuses a scrape without the bearer token', async () => {
    const response = await fetch(`http://127.0.0.1:${cp.running.httpPort}/metrics`);
    expect(response.status).toBe(401);
  });

  it('counts the connected MQTT clients', async () => {
    await waitFor(metrics, (m) => m.value('citypulse_mqtt_connections') === 2, { what: 'two connections' });
    const third = await connectedSensor(cp, 'tianjin');
    await waitFor(metrics, (m) => m.value('citypulse_mqtt_connections') === 3, { what: 'three connections' });
    await third.client.endAsync();
    await waitFor(metrics, (m) => m.value('citypulse_mqtt_connections') === 2, { what: 'back to two connections' });
  });

  it('counts every telemetry PUBLISH received, and writes the readings to InfluxDB in counted batches', async () => {
    const before = await metrics();
    const receivedBefore = before.value('citypulse_mqtt_messages_received_total', { kind: 'telemetry' }) ?? 0;
    const storedBefore = before.value('citypulse_readings_stored_total') ?? 0;
    const delaysBefore = before.value('citypulse_reading_store_delay_seconds_count') ?? 0;
    const t0 = Date.now() - 5000;
    // QoS 1: resolves on PUBACK.
    for (let i = 0; i < 7; i++) await devices[i % 2].publish({ temperature: 20 + i }, t0 + i);

    const after = await metrics();
    expect(after.value('citypulse_mqtt_messages_received_total', { kind: 'telemetry' })).toBe(receivedBefore + 7);
    const stored = await waitFor(metrics, (m) => m.value('citypulse_readings_stored_total') === storedBefore + 7, {
      what: 'seven readings stored',
    });
    expect(stored.value('citypulse_influx_write_batches_total')).toBeGreaterThan(0);
    // Each stored reading's delay observed once, however its rounds were merged for rules.
    expect(stored.value('citypulse_reading_store_delay_seconds_count')).toBe(delaysBefore + 7);
    expect(stored.value('citypulse_influx_write_seconds_count')).toBe(
      stored.value('citypulse_influx_write_batches_total'),
    );
    // No write failed: the family is declared, with no status counted yet.
    expect(stored.declares('citypulse_influx_write_errors_total', 'counter')).toBe(true);
    expect(stored.samples.filter((s) => s.name === 'citypulse_influx_write_errors_total')).toEqual([]);
  });

  it('counts a rejection by its reason, and the error message delivered to the device', async () => {
    const [device] = devices;
    await device.client.subscribeAsync(deviceTopic(device.id, 'errors'), { qos: 1 });
    const errorMessage = new Promise((resolve) => device.client.once('message', resolve));
    const before = await metrics();
    await device.client.publishAsync(deviceTopic(device.id, 'telemetry'), JSON.stringify({ values: { co2: 90_000 } }), {
      qos: 1,
    });
    await errorMessage;

    const after = await metrics();
    expect(after.value('citypulse_readings_rejected_total', { reason: 'out_of_range' })).toBe(
      (before.value('citypulse_readings_rejected_total', { reason: 'out_of_range' }) ?? 0) + 1,
    );
    expect(after.value('citypulse_mqtt_messages_delivered_total', { client: 'device' })).toBe(
      (before.value('citypulse_mqtt_messages_delivered_total', { client: 'device' }) ?? 0) + 1,
    );
  });

  it('reports alerts by state from the alert store', async () => {
    const [device] = devices;
    await createRule(cp, co2HighRule(device.id));
    const t0 = Date.now() - 3000;
    await device.client.publishAsync(
      deviceTopic(device.id, 'telemetry'),
      JSON.stringify({
        readings: [
          { ts: t0, values: { co2: 1500 } },
          { ts: t0 + 1000, values: { co2: 1600 } },
        ],
      }),
      { qos: 1 },
    );
    const [alert] = await waitForAlerts(cp, device.id, (items) => items.length === 1, 'the alert raised');

    const raised = await metrics();
    expect([
      raised.value('citypulse_alerts', { state: 'open' }),
      raised.value('citypulse_alerts', { state: 'acknowledged' }),
      raised.value('citypulse_alerts', { state: 'resolved' }),
    ]).toEqual([1, 0, 0]);
    expect((await cp.api('POST', `/alerts/${encodeURIComponent(alert.id)}/acknowledge`, { by: 'alice' })).status).toBe(
      200,
    );
    const acknowledged = await metrics();
    expect([
      acknowledged.value('citypulse_alerts', { state: 'open' }),
      acknowledged.value('citypulse_alerts', { state: 'acknowledged' }),
    ]).toEqual([0, 1]);
  });

  it('reports the depth of every BullMQ queue in every state, and the hand-off stream', async () => {
    const m = await metrics();
    for (const queue of Object.values(QUEUES)) {
      for (const state of ['waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed']) {
        expect({ queue, state, value: m.value('citypulse_queue_jobs', { queue, state }) }).toEqual({
          queue,
          state,
          value: expect.any(Number),
        });
      }
    }
    // Rule evaluation has run for the readings above.
    expect(m.value('citypulse_queue_jobs', { queue: QUEUES.ruleEvaluation, state: 'completed' })).toBeGreaterThan(0);
    // Everything published has been stored: nothing waits in the hand-off.
    const drained = await waitFor(metrics, (s) => s.value('citypulse_handoff_stream_readings') === 0, {
      what: 'an empty hand-off',
    });
    expect([
      drained.value('citypulse_handoff_stream_entries', { state: 'unread' }),
      drained.value('citypulse_handoff_stream_entries', { state: 'pending' }),
    ]).toEqual([0, 0]);
  });
});
