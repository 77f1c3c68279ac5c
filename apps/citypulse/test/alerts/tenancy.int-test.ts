import { Redis } from 'ioredis';
import { ApiTokenStore } from '@citypulse/registry';
import { TestCitypulse } from '../harness.js';
import { connectedSensor, createRule, waitForAlerts } from './alert-helpers.js';

/** Alerts are per city: a city-scoped token sees and handles only its cities' alerts, and changes no rules. */
describe('alerts and city-scoped tokens', () => {
  let cp: TestCitypulse;
  let redis: Redis;

  beforeAll(async () => {
    cp = await TestCitypulse.start();
    redis = new Redis(cp.config.redis.url);
  });
  afterAll(async () => {
    redis?.disconnect();
    await cp?.stop();
  });

  it('lists, shows and lets an operator acknowledge only the alerts of the token’s cities', async () => {
    const { token } = await new ApiTokenStore(redis, cp.config.redis.prefix).create({
      name: 'tj-ops',
      role: 'operator',
      cities: ['tianjin'],
    });
    const alertIn = async (city: string) => {
      const device = await connectedSensor(cp, city);
      await createRule(cp, {
        id: `co2-${device.id}`,
        deviceType: 'env-sensor',
        scope: { deviceId: device.id },
        field: 'co2',
        condition: { kind: 'above', threshold: 1000 },
        severity: 'warning',
      });
      await device.publish({ co2: 1500 });
      const [alert] = await waitForAlerts(cp, device.id, (a) => a.length === 1, `an alert in ${city}`);
      await device.client.endAsync();
      return alert;
    };
    const tianjin = await alertIn('tianjin');
    const beijing = await alertIn('beijing');

    const listed = (await cp.api('GET', '/alerts', undefined, token)).body.items.map((a: any) => a.id);
    expect(listed).toContain(tianjin.id);
    expect(listed).not.toContain(beijing.id);
    expect((await cp.api('GET', '/alerts?city=beijing', undefined, token)).status).toBe(403);
    expect((await cp.api('GET', `/alerts/${encodeURIComponent(beijing.id)}`, undefined, token)).status).toBe(404);
    expect(
      (await cp.api('POST', `/alerts/${encodeURIComponent(beijing.id)}/acknowledge`, { by: 'mallory' }, token)).status,
    ).toBe(404);

    const ack = await cp.api('POST', `/alerts/${encodeURIComponent(tianjin.id)}/acknowledge`, { by: 'li' }, token);
    expect(ack.body).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'li' });
    const audit = await cp.api('GET', `/audit?target=${encodeURIComponent(`alert:${tianjin.id}`)}`);
    expect(audit.body.items[0]).toMatchObject({ actor: 'li (token tj-ops)' });
  });

  it('keeps rules, webhooks, queues and the audit log for admin tokens of every city', async () => {
    const { token } = await new ApiTokenStore(redis, cp.config.redis.prefix).create({
      name: 'bj-admin',
      role: 'admin',
      cities: ['beijing'],
    });
    const rule = {
      id: 'scoped',
      deviceType: 'env-sensor',
      field: 'co2',
      condition: { kind: 'above', threshold: 1 },
      severity: 'info',
    };
    expect((await cp.api('POST', '/rules', rule, token)).status).toBe(403);
    expect((await cp.api('POST', '/webhooks', { id: 'w', url: 'http://127.0.0.1:9/x' }, token)).status).toBe(403);
    expect((await cp.api('GET', '/queues', undefined, token)).status).toBe(403);
    expect((await cp.api('GET', '/audit', undefined, token)).status).toBe(403);
    expect((await cp.api('GET', '/rules', undefined, token)).status).toBe(200);
  });
});
