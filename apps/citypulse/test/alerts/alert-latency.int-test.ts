import { waitFor } from '@citypulse/testing';
import { TestCitypulse } from '../harness.js';
import { co2HighRule, connectedSensor, createRule, waitForAlerts } from './alert-helpers.js';

/**
 * Ingest lingers to fill large InfluxDB writes (CP_INGEST_LINGER_MS), but rules get each reading as
 * soon as it is read from the hand-off: an alert's latency does not include the linger. With a
 * 10 s linger, the alert is raised while its reading still waits to be written.
 */
describe('alert latency and the ingest linger', () => {
  let cp: TestCitypulse;

  beforeAll(async () => {
    cp = await TestCitypulse.start({ CP_INGEST_LINGER_MS: '10000', CP_INGEST_MAX_LINGER_MS: '10000' });
  });
  afterAll(async () => {
    await cp?.stop();
  });

  it('raises the alert long before the lingering write stores the reading that breached', async () => {
    const device = await connectedSensor(cp, 'tianjin');
    await createRule(cp, co2HighRule(device.id));
    const stored = () => cp.influx.query(`SELECT co2 FROM building WHERE device_id = '${device.id}'`);

    const sentAt = Date.now();
    await device.publish({ co2: 1500 }, sentAt - 1000);
    await waitForAlerts(cp, device.id, (items) => items.length === 1, 'the alert raised');
    const raisedAfterMs = Date.now() - sentAt;
    // The write waits for the rest of the linger (or 5,000 lines): the reading is not stored yet.
    expect(await stored()).toHaveLength(0);
    expect(raisedAfterMs).toBeLessThan(5000);
    await waitFor(stored, (rows) => rows.length === 1, {
      what: 'the reading stored after the linger',
      timeoutMs: 30_000,
    });
  });
});
