import { PrivateInflux, waitFor } from '@citypulse/testing';
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

/**
 * Rules are fed as readings are read, and reading goes on for a few batches beyond the InfluxDB
 * writes in flight: while InfluxDB stalls, alerts are still raised (until those few batches wait).
 */
describe('alerts while InfluxDB stalls', () => {
  let influxd: PrivateInflux;
  let cp: TestCitypulse;

  beforeAll(async () => {
    influxd = await PrivateInflux.create();
    await influxd.start();
    // No linger: each breach below is a batch of its own.
    cp = await TestCitypulse.start({
      CP_INFLUX_URL: influxd.url,
      CP_INFLUX_API: 'v1',
      CP_INGEST_LINGER_MS: '0',
      CP_INGEST_MAX_LINGER_MS: '0',
      CP_INGEST_CONCURRENCY: '2',
    });
  });
  afterAll(async () => {
    influxd?.resume();
    await cp?.stop();
    await influxd?.destroy();
  });

  it('raises alerts for readings read after every write slot is taken by a write InfluxDB does not answer', async () => {
    const devices = [];
    for (let i = 0; i < 3; i++) {
      const device = await connectedSensor(cp, 'tianjin');
      await createRule(cp, co2HighRule(device.id));
      devices.push(device);
    }
    influxd.pause();
    // Each breach is read, fed to the rules (its alert) and held in an InfluxDB write that hangs:
    // the first two take both write slots; the third is read only because reading does not wait for one.
    for (const device of devices) {
      await device.publish({ co2: 1500 });
      await waitForAlerts(cp, device.id, (items) => items.length === 1, `the alert of ${device.id}`);
    }
  });
});
