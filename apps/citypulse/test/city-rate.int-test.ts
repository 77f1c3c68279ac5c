import { deviceTopic } from '@citypulse/contracts';
import { uniqueName, waitFor } from '@citypulse/testing';
import { TestCitypulse } from './harness.js';

/**
 * Per-city rate limits through the real broker: one city over its rate gets back-pressure (held
 * PUBACKs) and then `city_rate_limited`, while another city's readings flow and are all stored.
 * Storm city: 20 readings/s, a PUBACK held at most 1 s; other cities unlimited.
 */
describe('per-city rate limits', () => {
  let cp: TestCitypulse;

  beforeAll(async () => {
    cp = await TestCitypulse.start({
      CP_CITY_MAX_READINGS_PER_S: '0',
      CP_CITY_READINGS_PER_S_OVERRIDES: 'stormcity=20',
      CP_CITY_RATE_MAX_HOLD_MS: '1000',
    });
  });
  afterAll(async () => {
    await cp?.stop();
  });

  async function device(city: string) {
    const id = uniqueName(`${city}-`);
    const secret = await cp.provision({ id, type: 'env-sensor', city, site: `${city}-1` });
    const client = await cp.connectDevice(id, secret);
    const errors: any[] = [];
    await client.subscribeAsync(deviceTopic(id, 'errors'), { qos: 1 });
    client.on('message', (_t, payload) => errors.push(JSON.parse(payload.toString())));
    return { id, client, errors };
  }
  const stored = (id: string) => cp.influx.query(`SELECT temperature FROM building WHERE device_id = '${id}'`);

  it('holds a storming city’s PUBACKs back, sheds what would wait too long, and keeps another city flowing', async () => {
    const storm = await device('stormcity');
    const calm = await device('calmcity');
    const reading = (i: number) =>
      JSON.stringify({ ts: Date.now() - 60_000 + i, values: { temperature: 20 + (i % 10) } });

    // The bucket holds one second of the rate (20); ten more at 20/s put the last PUBACK at least
    // 0.5 s after the first reading arrived, however fast the device sends (back-pressure). All 30
    // are sent at once, so they arrive faster than 20/s however busy the machine is.
    const startedAt = Date.now();
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        storm.client.publishAsync(deviceTopic(storm.id, 'telemetry'), reading(i), { qos: 1 }),
      ),
    );
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(490);
    // A batch that would need more than the 1 s hold is refused with the reason, yet PUBACKed.
    const batch = {
      readings: Array.from({ length: 40 }, (_, i) => ({ ts: Date.now() - 30_000 + i, values: { temperature: 21 } })),
    };
    await storm.client.publishAsync(deviceTopic(storm.id, 'telemetry'), JSON.stringify(batch), { qos: 1 });
    const [refusal] = await waitFor(
      () => storm.errors,
      (e) => e.length > 0,
      { what: 'the city_rate_limited message' },
    );
    expect(refusal).toMatchObject({
      accepted: 0,
      rejected: [
        expect.objectContaining({ reason: 'city_rate_limited', detail: expect.stringContaining('stormcity') }),
      ],
    });

    // Meanwhile the calm city publishes at full speed: nothing held, nothing refused.
    for (let i = 0; i < 60; i++)
      await calm.client.publishAsync(deviceTopic(calm.id, 'telemetry'), reading(i), { qos: 1 });
    await waitFor(
      () => stored(calm.id),
      (rows) => rows.length === 60,
      { what: 'all 60 calm readings stored' },
    );
    await waitFor(
      () => stored(storm.id),
      (rows) => rows.length === 30,
      { what: 'the 30 held storm readings stored' },
    );
    expect(calm.errors).toEqual([]);

    const metrics = await fetch(`http://127.0.0.1:${cp.running.httpPort}/metrics`, {
      headers: { authorization: `Bearer ${cp.config.http.adminToken}` },
    }).then((r) => r.text());
    // How many were held depends on how much the bucket refilled while the first ones went through.
    const held = Number(
      /citypulse_city_rate_limited_readings_total\{city="stormcity",outcome="held"\} (\d+)/.exec(metrics)?.[1],
    );
    expect(held).toBeGreaterThanOrEqual(1);
    expect(held).toBeLessThanOrEqual(10);
    expect(metrics).toMatch(/citypulse_city_rate_limited_readings_total\{city="stormcity",outcome="shed"\} 40/);
    expect(metrics).not.toContain('city="calmcity"');
    await storm.client.endAsync();
    await calm.client.endAsync();
  });
});
