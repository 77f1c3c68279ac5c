import mqtt from 'mqtt';
import { Redis } from 'ioredis';
import { ApiTokenStore } from '@citypulse/registry';
import { waitFor } from '@citypulse/testing';
import { TestCitypulse } from '../harness.js';
import { connectedSensor, createRule, waitForAlerts } from './alert-helpers.js';

/** Alert messages on `alerts/{city}/{severity}` for operators' tools logged in with an API token. */
describe('alerts over MQTT', () => {
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

  async function operatorClient(name: string, cities?: string[]) {
    const { token } = await new ApiTokenStore(redis, cp.config.redis.prefix).create({
      name,
      role: 'operator',
      ...(cities && { cities }),
    });
    return mqtt.connectAsync(cp.mqttUrl, {
      clientId: `operator:${name}`,
      username: `operator:${name}`,
      password: token,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
  }

  it('publishes each alert event to its city and severity, and a city-scoped login gets only its cities', async () => {
    const everything = await operatorClient('ops-all');
    const beijingOnly = await operatorClient('ops-bj', ['beijing']);
    const seen = { all: [] as Array<{ topic: string; m: any }>, bj: [] as Array<{ topic: string; m: any }> };
    everything.on('message', (topic, payload) => seen.all.push({ topic, m: JSON.parse(payload.toString()) }));
    beijingOnly.on('message', (topic, payload) => seen.bj.push({ topic, m: JSON.parse(payload.toString()) }));
    await everything.subscribeAsync('alerts/#');
    await beijingOnly.subscribeAsync('alerts/+/critical');

    const tianjin = await connectedSensor(cp, 'tianjin');
    const beijing = await connectedSensor(cp, 'beijing');
    for (const d of [tianjin, beijing]) {
      await createRule(cp, {
        id: `co2-${d.id}`,
        deviceType: 'env-sensor',
        scope: { deviceId: d.id },
        field: 'co2',
        condition: { kind: 'above', threshold: 1000 },
        severity: 'critical',
      });
      await d.publish({ co2: 1500 });
      await waitForAlerts(cp, d.id, (a) => a.length === 1, 'the alert');
    }
    await waitFor(
      () => seen.all.length,
      (n) => n >= 2,
      { what: 'two alert messages' },
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(seen.all.map((s) => s.topic).sort()).toEqual(['alerts/beijing/critical', 'alerts/tianjin/critical']);
    expect(seen.all.find((s) => s.topic === 'alerts/tianjin/critical')!.m).toMatchObject({
      event: { kind: 'raised' },
      alert: { deviceId: tianjin.id, state: 'open' },
    });
    expect(seen.bj.map((s) => s.m.alert.deviceId)).toEqual([beijing.id]);
    await Promise.all([
      everything.endAsync(),
      beijingOnly.endAsync(),
      tianjin.client.endAsync(),
      beijing.client.endAsync(),
    ]);
  });
});
