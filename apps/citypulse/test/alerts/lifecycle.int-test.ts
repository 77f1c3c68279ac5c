import { waitFor } from '@citypulse/testing';
import { TestCitypulse } from '../harness.js';
import { SseClient } from './sse-client.js';
import { alertsOf, co2HighRule, connectedSensor, createRule, historyKinds, waitForAlerts } from './alert-helpers.js';

/** The alert lifecycle end to end: MQTT → rule (managed through the API) → alert → operator → auto-resolve. */
describe('the alert lifecycle', () => {
  let cp: TestCitypulse;
  let stream: SseClient | undefined;

  beforeAll(async () => {
    cp = await TestCitypulse.start({ CP_ALERT_RENOTIFY_CHECK_MS: '200' });
  });
  afterAll(async () => {
    stream?.close(); // an open event stream would hold the HTTP server's shutdown
    await cp?.stop();
  });

  const co2Rule = (deviceId: string, over: Record<string, unknown> = {}) => ({ ...co2HighRule(deviceId), ...over });

  it('raises on a published breach, is acknowledged by an operator, and resolves itself only past the clear level', async () => {
    const device = await connectedSensor(cp, 'tianjin');
    await createRule(cp, co2Rule(device.id));
    stream = await SseClient.open(
      `http://127.0.0.1:${cp.running.httpPort}/alerts/stream?city=tianjin`,
      cp.config.http.adminToken,
    );
    await new Promise((r) => setTimeout(r, 200));

    const t0 = Date.now() - 10_000;
    // One publish: two separate ones may reach rule evaluation in either order (ingest writes
    // batches concurrently), and on event time the older one would then only count as late.
    const readings = [
      { ts: t0, values: { co2: 1500 } },
      { ts: t0 + 1000, values: { co2: 1700 } },
    ];
    await device.client.publishAsync(`devices/${device.id}/telemetry`, JSON.stringify({ readings }), { qos: 1 });
    const [open] = await waitForAlerts(
      cp,
      device.id,
      (items) => items.length === 1 && items[0].count === 2,
      'one open alert counting both readings',
    );
    expect(open).toMatchObject({
      ruleId: `co2-${device.id}`,
      state: 'open',
      city: 'tianjin',
      lastValue: 1700,
      peakValue: 1700,
      severity: 'warning',
    });

    const ack = await cp.api('POST', `/alerts/${encodeURIComponent(open.id)}/acknowledge`, {
      by: 'alice',
      note: 'ventilation team called',
    });
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'alice' });
    expect((await cp.api('POST', `/alerts/${encodeURIComponent(open.id)}/acknowledge`, { by: 'bob' })).status).toBe(
      409,
    );

    // 900 is inside the hysteresis band (clear at 800): the alert stays; 700 clears it.
    await device.publish({ co2: 900 }, t0 + 2000);
    await device.publish({ co2: 700 }, t0 + 3000);
    const [resolved] = await waitForAlerts(
      cp,
      device.id,
      (items) => items[0]?.state === 'resolved',
      'the alert resolved by the rule',
    );
    expect(resolved).toMatchObject({
      resolvedBy: 'rule',
      lastValue: 700,
      resolvedAt: new Date(t0 + 3000).toISOString(),
    });
    expect(await historyKinds(cp, open.id)).toEqual(['raised', 'acknowledged', 'resolved']);

    // The live stream saw each transition; the InfluxDB history has them queryable by device.
    await waitFor(
      () => stream!.messages.filter((m) => m.data.alert.id === open.id).map((m) => m.event),
      (k) => k.length === 3,
      { what: 'three SSE messages' },
    );
    expect(
      stream.messages
        .filter((m) => m.data.alert.id === open.id)
        .map((m) => m.event)
        .sort(),
    ).toEqual(['acknowledged', 'raised', 'resolved']);
    const transitions = await waitFor(
      async () => (await cp.api('GET', `/alerts/transitions?deviceId=${device.id}&from=${t0 - 1000}`)).body.items,
      (items: any[]) => items.length === 3,
      { what: 'three points in the alerts measurement' },
    );
    expect(transitions.map((r: any) => r.event).sort()).toEqual(['acknowledged', 'raised', 'resolved']);
    expect(transitions.find((r: any) => r.event === 'acknowledged')).toMatchObject({
      actor: 'alice',
      note: 'ventilation team called',
      city: 'tianjin',
      rule_id: `co2-${device.id}`,
    });
    expect(
      (await cp.api('GET', `/alerts/transitions?deviceId=${device.id}&from=${t0 - 1000}&limit=1&offset=1`)).body.items,
    ).toEqual([transitions[1]]);

    const audit = await cp.api('GET', `/audit?target=${encodeURIComponent(`alert:${open.id}`)}`);
    expect(audit.body.items).toEqual([
      expect.objectContaining({
        action: 'alert.acknowledged',
        actor: 'alice (token admin)',
        detail: 'ventilation team called',
      }),
    ]);
    await device.client.endAsync();
  });

  it('raises one alert per episode for a value flapping around the threshold, never a storm', async () => {
    const device = await connectedSensor(cp);
    await createRule(cp, co2Rule(device.id));
    const t0 = Date.now() - 120_000;
    const readings = Array.from({ length: 60 }, (_, i) => ({ ts: t0 + i * 1000, values: { co2: i % 2 ? 990 : 1010 } }));
    await device.client.publishAsync(`devices/${device.id}/telemetry`, JSON.stringify({ readings }), { qos: 1 });
    const items = await waitForAlerts(
      cp,
      device.id,
      (a) => a.length === 1 && a[0].count === 60,
      'one alert counting all 60 readings',
    );
    expect(items[0].state).toBe('open');
    await device.client.endAsync();
  });

  it('assigns, snoozes and resolves by hand, each kept in the history', async () => {
    const device = await connectedSensor(cp);
    await createRule(cp, co2Rule(device.id, { renotifySeconds: 1 }));
    await device.publish({ co2: 1500 });
    const [alert] = await waitForAlerts(cp, device.id, (a) => a.length === 1, 'the alert');
    const path = `/alerts/${encodeURIComponent(alert.id)}`;
    // Re-notification while open and unacknowledged, then not while snoozed.
    await waitFor(
      () => historyKinds(cp, alert.id),
      (k) => k.includes('renotified'),
      { what: 'a reminder' },
    );
    expect((await cp.api('POST', `${path}/assign`, { by: 'alice', assignee: 'bob' })).body).toMatchObject({
      assignee: 'bob',
      state: 'open',
    });
    const snoozed = await cp.api('POST', `${path}/snooze`, { by: 'bob', minutes: 30, note: 'known maintenance' });
    expect(Date.parse(snoozed.body.snoozedUntil)).toBeGreaterThan(Date.now() + 29 * 60_000);
    const reminders = (await historyKinds(cp, alert.id)).filter((k) => k === 'renotified').length;
    await new Promise((r) => setTimeout(r, 1500));
    expect((await historyKinds(cp, alert.id)).filter((k) => k === 'renotified').length).toBeLessThanOrEqual(
      reminders + 1,
    );
    const resolved = await cp.api('POST', `${path}/resolve`, { by: 'bob', note: 'sensor replaced' });
    expect(resolved.body).toMatchObject({ state: 'resolved', resolvedBy: 'bob' });
    expect((await historyKinds(cp, alert.id)).filter((k) => k !== 'renotified')).toEqual([
      'raised',
      'assigned',
      'snoozed',
      'resolved',
    ]);
    expect((await cp.api('POST', `${path}/assign`, { by: 'alice', assignee: 'carol' })).status).toBe(409);
    await device.client.endAsync();
  });

  it('marks a lower-severity open alert escalated when a higher-severity rule on the same field raises', async () => {
    const device = await connectedSensor(cp);
    await createRule(cp, co2Rule(device.id));
    await createRule(
      cp,
      co2Rule(device.id, {
        id: `co2-critical-${device.id}`,
        key: 'co2-critical',
        condition: { kind: 'above', threshold: 2000 },
        severity: 'critical',
      }),
    );
    const t0 = Date.now() - 5000;
    await device.publish({ co2: 1500 }, t0);
    await waitForAlerts(cp, device.id, (a) => a.length === 1, 'the warning');
    await device.publish({ co2: 2500 }, t0 + 1000);
    const items = await waitForAlerts(
      cp,
      device.id,
      (a) => a.length === 2 && a.some((x) => x.escalatedTo) && a.some((x) => x.escalatedFrom),
      'the critical alert escalating the warning',
    );
    const critical = items.find((a) => a.severity === 'critical');
    const warning = items.find((a) => a.severity === 'warning');
    expect(critical.escalatedFrom).toEqual([warning.id]);
    expect(warning.escalatedTo).toBe(critical.id);
    expect(await historyKinds(cp, critical.id)).toEqual(['raised', 'escalated']);
    await device.client.endAsync();
  });

  it('filters alerts by city, rule, state and time', async () => {
    const device = await connectedSensor(cp, 'shijiazhuang');
    await createRule(cp, co2Rule(device.id));
    await device.publish({ co2: 1500 });
    await waitForAlerts(cp, device.id, (a) => a.length === 1, 'the alert');
    const byCity = (await cp.api('GET', '/alerts?city=shijiazhuang&state=open')).body.items;
    expect(byCity.map((a: any) => a.deviceId)).toContain(device.id);
    expect(byCity.every((a: any) => a.city === 'shijiazhuang' && a.state === 'open')).toBe(true);
    expect((await cp.api('GET', `/alerts?ruleId=co2-${device.id}`)).body.items).toHaveLength(1);
    expect(await alertsOf(cp, device.id, `&to=${Date.now() - 3_600_000}`)).toHaveLength(0);
    expect((await cp.api('GET', '/alerts?from=yesterday')).body.fields).toEqual([
      expect.objectContaining({ field: 'from' }),
    ]);
    await device.client.endAsync();
  });
});

describe('rules through the API', () => {
  let cp: TestCitypulse;

  beforeAll(async () => {
    // The webhooks here point at a local port: allowed explicitly (refused by default).
    cp = await TestCitypulse.start({ CP_WEBHOOK_ALLOW_PRIVATE: 'true' }, ['api']);
  });
  afterAll(async () => {
    await cp?.stop();
  });

  it('answers a bad rule with 400 naming each field at fault', async () => {
    const { status, body } = await cp.api('POST', '/rules', {
      id: 'bad',
      deviceType: 'env-sensor',
      field: 'co2',
      condition: { kind: 'above', threshold: 1000, clearBelow: 1200 },
      severity: 'urgent',
    });
    expect(status).toBe(400);
    expect(body.fields.map((f: any) => f.field).sort()).toEqual(['condition.clearBelow', 'severity']);
    expect(
      (
        await cp.api('POST', '/rules', {
          id: 'x',
          deviceType: 'env-sensor',
          field: 'flux',
          condition: { kind: 'above', threshold: 1 },
          severity: 'info',
        })
      ).body.fields,
    ).toEqual([expect.objectContaining({ field: 'field' })]);
    expect((await cp.api('POST', '/rules', [{ id: 'x' }])).body.fields).toEqual([
      { field: 'body', problems: ['a rule must be a JSON object'] },
    ]);
    expect((await cp.api('PUT', '/rules/x', [1, 2])).body.fields).toEqual([
      { field: 'body', problems: ['a rule must be a JSON object'] },
    ]);
  });

  it('lists catalogue defaults, overrides one by id, and brings it back on delete', async () => {
    const rules = (await cp.api('GET', '/rules?deviceType=env-sensor')).body.items;
    expect(rules.map((r: any) => r.id)).toEqual(expect.arrayContaining(['env-sensor.co2-high', 'env-sensor.no-data']));
    const override = await cp.api('PUT', '/rules/env-sensor.co2-high', {
      ...rules.find((r: any) => r.id === 'env-sensor.co2-high'),
      source: undefined,
      enabled: false,
    });
    expect(override.status).toBe(200);
    expect((await cp.api('GET', '/rules/env-sensor.co2-high')).body).toMatchObject({
      enabled: false,
      source: 'operator',
    });
    expect((await cp.api('DELETE', '/rules/env-sensor.co2-high')).status).toBe(204);
    expect((await cp.api('GET', '/rules/env-sensor.co2-high')).body).toMatchObject({
      enabled: true,
      source: 'catalogue',
    });
    expect((await cp.api('DELETE', '/rules/env-sensor.co2-high')).status).toBe(409);
  });

  it('pages the rules in force and the webhooks (limit, offset, total), and refuses a bad page naming the field', async () => {
    const all = (await cp.api('GET', '/rules?deviceType=env-sensor&limit=1000')).body;
    expect(all.total).toBe(all.items.length);
    expect(all.total).toBeGreaterThan(2);
    const page = (await cp.api('GET', '/rules?deviceType=env-sensor&limit=2&offset=1')).body;
    expect(page).toEqual({ items: all.items.slice(1, 3), total: all.total, offset: 1, limit: 2 });
    const bad = await cp.api('GET', '/rules?limit=0');
    expect(bad.status).toBe(400);
    expect(bad.body.fields).toEqual([expect.objectContaining({ field: 'limit' })]);

    // For a city no alert is in: nothing is ever sent to the unreachable url.
    for (const id of ['page-a', 'page-b', 'page-c'])
      expect(
        (await cp.api('POST', '/webhooks', { id, url: 'http://127.0.0.1:9/hook', cities: ['no-such-city'] })).status,
      ).toBe(201);
    const hooks = (await cp.api('GET', '/webhooks?limit=2')).body;
    expect(hooks).toMatchObject({ total: 3, offset: 0, limit: 2 });
    expect(hooks.items).toHaveLength(2);
    expect((await cp.api('GET', '/webhooks?offset=-1')).body.fields).toEqual([
      expect.objectContaining({ field: 'offset' }),
    ]);
    for (const id of ['page-a', 'page-b', 'page-c'])
      expect((await cp.api('DELETE', `/webhooks/${id}`)).status).toBe(204);
    expect((await cp.api('DELETE', '/webhooks/page-a')).status).toBe(404);
    expect((await cp.api('DELETE', '/webhooks/Not%20An%20Id')).body.fields).toEqual([
      expect.objectContaining({ field: 'id' }),
    ]);
  });

  it('shows each queue’s depth and rates', async () => {
    const { status, body } = await cp.api('GET', '/queues');
    expect(status).toBe(200);
    expect(body.items.map((q: any) => q.name)).toEqual(
      expect.arrayContaining(['alert-checks', 'alert-events', 'notifications', 'rule-evaluation']),
    );
    expect(body.items[0]).toMatchObject({
      counts: expect.objectContaining({ failed: 0 }),
      ratesPerMinute: expect.any(Object),
    });
  });
});
