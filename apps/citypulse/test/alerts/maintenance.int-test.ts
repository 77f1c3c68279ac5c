import { Redis } from 'ioredis';
import mqtt from 'mqtt';
import { ApiTokenStore } from '@citypulse/registry';
import { AppProcess, freePort, testEnv, waitFor } from '@citypulse/testing';
import { TestCitypulse } from '../harness.js';
import { WebhookReceiver } from './webhook-receiver.js';
import { SseClient } from './sse-client.js';
import { alertsOf, connectedSensor, createRule, waitForAlerts } from './alert-helpers.js';
import {
  DESKTOP,
  PHONE,
  launchChromium,
  openContext,
  pageErrors,
  screenshot,
  scrollsSideways,
  signIn,
} from '../console/console-browser.js';

/**
 * Maintenance windows end to end: devices publishing over MQTT to the real broker, ingest and the
 * API in this process, and the alerts app (rule evaluation, deadman checks, alert events, webhook
 * delivery) as a separate process from dist/ — so a window saved through the API reaches the alerts
 * process's cache through Redis, as in a deployment.
 */
describe('maintenance windows', () => {
  let cp: TestCitypulse;
  let hook: WebhookReceiver;
  let stream: SseClient;
  let redis: Redis;
  let alerts: AppProcess;
  let alertsHealthPort: number;

  beforeAll(async () => {
    const env = testEnv({ CP_ALERT_DEADMAN_INTERVAL_MS: '250', CP_WEBHOOK_ALLOW_PRIVATE: 'true' });
    cp = await TestCitypulse.start(env, ['broker', 'ingest', 'api']);
    alertsHealthPort = await freePort();
    alerts = new AppProcess('alerts', { ...env, CP_HEALTH_PORT: String(alertsHealthPort) });
    await alerts.start();
    redis = new Redis(cp.config.redis.url);
    hook = await WebhookReceiver.start([200]);
    expect(
      (
        await cp.api('POST', '/webhooks', {
          id: 'ops',
          url: hook.url,
          events: ['raised', 'escalated', 'acknowledged', 'resolved'],
        })
      ).status,
    ).toBe(201);
    stream = await SseClient.open(`http://127.0.0.1:${cp.running.httpPort}/alerts/stream`, cp.config.http.adminToken);
    // Every env-sensor in Shenzhen: CO2 above 1000 is critical; 2 s without a reading is a deadman.
    await createRule(cp, {
      id: 'sz-co2',
      deviceType: 'env-sensor',
      scope: { city: 'shenzhen' },
      field: 'co2',
      condition: { kind: 'above', threshold: 1000 },
      severity: 'critical',
    });
    await createRule(cp, {
      id: 'sz-silent',
      deviceType: 'env-sensor',
      scope: { city: 'shenzhen' },
      condition: { kind: 'deadman', afterSeconds: 2, when: 'no-data' },
      severity: 'warning',
    });
  });
  afterAll(async () => {
    stream?.close();
    await hook?.stop();
    redis?.disconnect();
    await alerts?.stop();
    await cp?.stop();
  });

  const notifiedAbout = (deviceId: string) =>
    hook.received.map((d) => JSON.parse(d.body)).filter((m) => m.alert.deviceId === deviceId);
  const streamedAbout = (deviceId: string) => stream.messages.filter((m) => m.data.alert?.deviceId === deviceId);
  const window = (body: Record<string, unknown>, token?: string) => cp.api('POST', '/maintenance-windows', body, token);

  it('suppresses a breach and a deadman of the devices in scope while open; alerting resumes when it closes', async () => {
    // Shenzhen's critical alerts also escalate to an MQTT channel at once; an operator listens on MQTT.
    expect((await cp.api('POST', '/cities/shenzhen/channels', { id: 'sz-mqtt', kind: 'mqtt' })).status).toBe(201);
    expect(
      (
        await cp.api('PUT', '/cities/shenzhen/escalation-policies/critical', {
          levels: [{ afterSeconds: 0, channels: ['sz-mqtt'] }],
        })
      ).status,
    ).toBe(200);
    const name = `sz-ops-${Date.now()}`;
    const operator = await mqtt.connectAsync(cp.mqttUrl, {
      clientId: `operator:${name}`,
      username: `operator:${name}`,
      password: await cp.issueToken(name, 'operator', ['shenzhen']),
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    const onMqtt: any[] = [];
    operator.on('message', (_topic, payload) => onMqtt.push(JSON.parse(payload.toString())));
    await operator.subscribeAsync('alerts/shenzhen/#', { qos: 1 });
    const mqttAbout = (deviceId: string) => onMqtt.filter((m) => m.alert?.deviceId === deviceId);

    const maintained = await connectedSensor(cp, 'shenzhen');
    const control = await connectedSensor(cp, 'shenzhen');
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const created = await window({
      city: 'shenzhen',
      deviceIds: [maintained.id],
      startsAt,
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      reason: 'sensor recalibration',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ open: true, upcoming: false, reason: 'sensor recalibration' });
    const windowId = created.body.id;
    // Open over the same site, but for another type: it silences neither sensor.
    const meters = await window({
      city: 'shenzhen',
      site: 'shenzhen-tower-1',
      deviceType: 'electricity-meter',
      startsAt,
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(meters.body).toMatchObject({ open: true });

    // Both breach, then both fall silent; the maintained device first, so it is never less overdue.
    await maintained.publish({ co2: 1500 });
    await control.publish({ co2: 1500 });

    // The control device's deadman notified: every check since has seen the maintained device too.
    await waitFor(
      () => notifiedAbout(control.id).map((m) => `${m.alert.ruleId}:${m.event.kind}`),
      (k) => k.includes('sz-co2:raised') && k.includes('sz-silent:raised'),
      {
        what: 'the control device’s breach and deadman notified',
        timeoutMs: 20_000,
      },
    );
    const [suppressed, ...others] = await alertsOf(cp, maintained.id);
    expect(others).toEqual([]);
    expect(suppressed).toMatchObject({
      ruleId: 'sz-co2',
      state: 'open',
      suppressed: true,
      suppressedBy: windowId,
      underMaintenance: true,
      maintenanceWindow: { id: windowId },
    });
    const history = (await cp.api('GET', `/alerts/${encodeURIComponent(suppressed.id)}/history`)).body.items;
    expect(history.map((e: any) => [e.kind, e.detail])).toEqual([
      ['raised', undefined],
      ['suppressed', `maintenance window ${windowId}`],
    ]);
    expect((await cp.api('GET', '/alerts?suppressed=true')).body.items.map((a: any) => a.id)).toEqual([suppressed.id]);
    expect((await cp.api('GET', '/alerts?suppressed=false')).body.items.map((a: any) => a.deviceId)).not.toContain(
      maintained.id,
    );
    expect(notifiedAbout(maintained.id)).toEqual([]);
    expect(streamedAbout(maintained.id)).toEqual([]);
    // The control device's breach reached MQTT and its escalation channel; the maintained one's neither.
    await waitFor(
      () => mqttAbout(control.id).map((m) => `${m.alert.ruleId}:${m.event.kind}`),
      (k) => k.includes('sz-co2:raised') && k.includes('sz-co2:escalation-step'),
      { what: 'the control device’s breach on MQTT and escalated' },
    );
    expect(mqttAbout(maintained.id)).toEqual([]);
    for (const a of await alertsOf(cp, control.id))
      expect(a).toMatchObject({ suppressed: false, underMaintenance: false });
    expect(
      (await cp.api('GET', '/queues/escalations/jobs?state=completed&limit=100')).body.items.filter(
        (j: any) => j.data.alertId === suppressed.id,
      ),
    ).toEqual([]);
    const metrics = await (await fetch(`http://127.0.0.1:${alertsHealthPort}/metrics`)).text();
    expect(metrics).toMatch(/citypulse_alert_transitions_total\{kind="suppressed",severity="critical"\} 1\b/);
    expect(streamedAbout(control.id).length).toBeGreaterThanOrEqual(2);

    // Close the window now: the next deadman check raises for the still-silent device, and notifies.
    const closed = await cp.api('PUT', `/maintenance-windows/${windowId}`, {
      city: 'shenzhen',
      deviceIds: [maintained.id],
      startsAt,
      endsAt: new Date().toISOString(),
    });
    expect(closed.body).toMatchObject({ open: false, upcoming: false });
    await waitFor(
      () => notifiedAbout(maintained.id).map((m) => `${m.alert.ruleId}:${m.event.kind}`),
      (k) => k.includes('sz-silent:raised'),
      { what: 'the deadman notified after the window closed', timeoutMs: 20_000 },
    );

    // The breach is still going on: the first reading after the window resolves the suppressed alert
    // (silently) and raises a new one, which notifies.
    await maintained.publish({ co2: 1600 });
    await waitForAlerts(
      cp,
      maintained.id,
      (a) => a.find((x) => x.id === suppressed.id)?.state === 'resolved',
      'the suppressed breach released',
    );
    const notified = await waitFor(
      () => notifiedAbout(maintained.id),
      (m) => m.some((x) => x.alert.ruleId === 'sz-co2' && x.event.kind === 'raised'),
      { what: 'the new breach notified', timeoutMs: 20_000 },
    );
    const fresh = notified.find((x) => x.alert.ruleId === 'sz-co2')!.alert;
    expect(fresh.id).not.toBe(suppressed.id);
    expect((await cp.api('GET', `/alerts/${encodeURIComponent(fresh.id)}`)).body).toMatchObject({
      suppressed: false,
      underMaintenance: false,
    });
    await waitFor(
      () => streamedAbout(maintained.id).map((m) => m.data.alert.id),
      (ids) => ids.includes(fresh.id),
      { what: 'the new breach on the live stream' },
    );
    // Nothing about the suppressed alert ever went out, not even its resolution.
    expect(notifiedAbout(maintained.id).filter((m) => m.alert.id === suppressed.id)).toEqual([]);
    expect(streamedAbout(maintained.id).filter((m) => m.data.alert.id === suppressed.id)).toEqual([]);
    await waitFor(
      () => mqttAbout(maintained.id).map((m) => m.alert.id),
      (ids) => ids.includes(fresh.id),
      { what: 'the new breach on MQTT' },
    );
    expect(mqttAbout(maintained.id).filter((m) => m.alert.id === suppressed.id)).toEqual([]);
    expect((await cp.api('DELETE', `/maintenance-windows/${meters.body.id}`)).status).toBe(204);
    await Promise.all([maintained.client.endAsync(), control.client.endAsync(), operator.endAsync()]);
  });

  it('marks alerts already open when a window opens over their device as under maintenance, until it goes', async () => {
    const device = await connectedSensor(cp, 'shenzhen');
    await device.publish({ co2: 1800 });
    const [alert] = await waitForAlerts(cp, device.id, (a) => a.length === 1, 'an alert before any window');
    expect(alert).toMatchObject({ suppressed: false, underMaintenance: false });

    const recurring = await window({
      city: 'shenzhen',
      site: 'shenzhen-tower-1',
      recurrence: { cron: '* * * * *', timeZone: 'Asia/Shanghai', durationMinutes: 5 },
    });
    expect(recurring.status).toBe(201);
    expect(recurring.body).toMatchObject({ open: true, upcoming: true });
    expect((await cp.api('GET', `/alerts/${encodeURIComponent(alert.id)}`)).body).toMatchObject({
      suppressed: false,
      underMaintenance: true,
      maintenanceWindow: { id: recurring.body.id },
    });
    expect((await cp.api('GET', '/maintenance-windows?status=open')).body.items.map((w: any) => w.id)).toContain(
      recurring.body.id,
    );

    expect((await cp.api('DELETE', `/maintenance-windows/${recurring.body.id}`)).status).toBe(204);
    expect((await cp.api('GET', `/alerts/${encodeURIComponent(alert.id)}`)).body).toMatchObject({
      underMaintenance: false,
    });
    await device.client.endAsync();
  });

  it('refuses bad windows naming the field, keeps each city to its own windows, and audits every change', async () => {
    const soon = Date.now() + 3_600_000;
    const bad = async (body: Record<string, unknown>) =>
      (await window({ city: 'shenzhen', ...body })).body.fields?.map((f: any) => f.field);
    expect(await bad({ recurrence: { cron: '0 25 * * *', timeZone: 'Europe/Berlin', durationMinutes: 60 } })).toEqual([
      'recurrence.cron',
    ]);
    expect(await bad({ recurrence: { cron: '0 2 * * 0', timeZone: 'Europe/Atlantis', durationMinutes: 60 } })).toEqual([
      'recurrence.timeZone',
    ]);
    expect(await bad({ startsAt: new Date(soon).toISOString(), endsAt: new Date(soon - 1).toISOString() })).toEqual([
      'endsAt',
    ]);
    expect(await bad({ startsAt: new Date(soon).toISOString() })).toEqual(['endsAt']);

    const tokens = new ApiTokenStore(redis, cp.config.redis.prefix);
    const { token: tianjinAdmin } = await tokens.create({ name: 'tj-admin', role: 'admin', cities: ['tianjin'] });
    const { token: tianjinOps } = await tokens.create({ name: 'tj-ops', role: 'operator', cities: ['tianjin'] });
    const oneOff = { startsAt: new Date(soon).toISOString(), endsAt: new Date(soon + 3_600_000).toISOString() };
    const ours = await window({ city: 'tianjin', ...oneOff }, tianjinAdmin);
    expect(ours.status).toBe(201);
    expect(ours.body).toMatchObject({
      open: false,
      upcoming: true,
      createdBy: 'tj-admin',
      nextOpening: { start: oneOff.startsAt },
    });
    const theirs = await window({ city: 'beijing', ...oneOff });
    const refused = await window({ city: 'beijing', ...oneOff }, tianjinAdmin);
    expect([refused.status, refused.body.fields?.[0].field]).toEqual([403, 'city']);
    expect((await window({ city: 'tianjin', ...oneOff }, tianjinOps)).status).toBe(403);

    for (const [method, body] of [['GET'], ['PUT', { city: 'tianjin', ...oneOff }], ['DELETE']] as const) {
      expect((await cp.api(method, `/maintenance-windows/${theirs.body.id}`, body, tianjinAdmin)).status).toBe(404);
    }
    expect(
      (await cp.api('GET', '/maintenance-windows', undefined, tianjinOps)).body.items.map((w: any) => w.id),
    ).toEqual([ours.body.id]);
    expect((await cp.api('GET', `/maintenance-windows/${ours.body.id}`, undefined, tianjinOps)).status).toBe(200);

    expect(
      (
        await cp.api(
          'PUT',
          `/maintenance-windows/${ours.body.id}`,
          { city: 'tianjin', site: 'tianjin-port', ...oneOff },
          tianjinAdmin,
        )
      ).body,
    ).toMatchObject({ site: 'tianjin-port' });
    expect((await cp.api('DELETE', `/maintenance-windows/${ours.body.id}`, undefined, tianjinAdmin)).status).toBe(204);
    const audit = (await cp.api('GET', `/audit?target=maintenance-window:${ours.body.id}`)).body.items;
    expect(audit.map((e: any) => [e.action, e.actor])).toEqual([
      ['maintenance-window.delete', 'tj-admin'],
      ['maintenance-window.update', 'tj-admin'],
      ['maintenance-window.create', 'tj-admin'],
    ]);
  });

  it('shows open and upcoming windows and the suppressed alerts in the console, and badges alerts under maintenance', async () => {
    const device = await connectedSensor(cp, 'shenzhen');
    const quiet = await connectedSensor(cp, 'shenzhen');
    await device.publish({ co2: 1900 });
    const [alert] = await waitForAlerts(cp, device.id, (a) => a.length === 1, 'an alert to badge');
    const open = await window({
      city: 'shenzhen',
      deviceIds: [device.id, quiet.id],
      recurrence: { cron: '0 * * * *', timeZone: 'Europe/Berlin', durationMinutes: 60 },
      reason: 'pump swap',
    });
    await quiet.publish({ co2: 1900 });
    const [suppressed] = await waitForAlerts(cp, quiet.id, (a) => a.length === 1, 'a suppressed alert');
    const later = new Date(Date.now() + 86_400_000);
    const upcoming = await window({
      city: 'shenzhen',
      site: 'shenzhen-depot',
      startsAt: later.toISOString(),
      endsAt: new Date(later.getTime() + 3_600_000).toISOString(),
    });
    const browser = await launchChromium();
    try {
      const page = await (await openContext(browser, DESKTOP)).newPage();
      const errors = pageErrors(page);
      await signIn(page, cp, { hash: '#/maintenance' });
      await page.waitForSelector(`tr[data-window-id="${upcoming.body.id}"]`);
      expect(await page.textContent(`tr[data-window-id="${open.body.id}"] td[data-status]`)).toMatch(/^open until/);
      expect(await page.textContent(`tr[data-window-id="${upcoming.body.id}"] td[data-status]`)).toMatch(/^from /);
      await page.waitForSelector(`.suppressed-alerts tr[data-alert-id="${suppressed.id}"]`);
      const suppressedIds = await page.$$eval('.suppressed-alerts tr[data-alert-id]', (rows) =>
        rows.map((r) => (r as any).dataset.alertId),
      );
      expect(suppressedIds).toEqual((await cp.api('GET', '/alerts?suppressed=true')).body.items.map((a: any) => a.id));
      await screenshot(page, 'maintenance-desktop');
      await page.setViewportSize(PHONE);
      expect(await scrollsSideways(page)).toBe(false);
      await screenshot(page, 'maintenance-phone');

      await page.setViewportSize(DESKTOP);
      await page.goto(page.url().replace('#/maintenance', '#/alerts'));
      await page.waitForSelector(`li[data-alert-id="${alert.id}"] .badge.maintenance:not(.suppressed)`);
      await page.waitForSelector(`li[data-alert-id="${suppressed.id}"] .badge.maintenance.suppressed`);
      await page.goto(page.url().replace('#/alerts', `#/device/${quiet.id}`));
      await page.waitForSelector(`.alert-entry[data-alert-id="${suppressed.id}"] .badge.maintenance.suppressed`);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
    await Promise.all([device.client.endAsync(), quiet.client.endAsync()]);
  });
});
