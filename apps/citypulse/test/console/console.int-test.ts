import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { deviceTopic } from '@citypulse/contracts';
import { TestPki, uniqueName, waitFor } from '@citypulse/testing';
import { TestCitypulse } from '../harness.js';
import { co2HighRule, connectedSensor, createRule, type TestDevice } from '../alerts/alert-helpers.js';
import {
  DESKTOP,
  PHONE,
  consoleUrl,
  launchChromium,
  openContext,
  pageErrors,
  screenshot,
  scrollsSideways,
  signIn,
} from './console-browser.js';

/**
 * The operator console in a real Chromium against the real stack: MQTT readings raise alerts that
 * appear live, an operator acknowledges one in the page, the device page charts stored readings,
 * and the fleet view matches the API, at 1280 px and on a phone.
 */
describe('the operator console', () => {
  let cp: TestCitypulse;
  let browser: Browser;
  /** Devices the tests connected, disconnected at the end even when a test fails. */
  const devices: TestDevice[] = [];
  const sensor = async (city: string) => {
    const device = await connectedSensor(cp, city);
    devices.push(device);
    return device;
  };

  /**
   * Waits sized for a loaded machine (the console soak runs these suites beside the ingest bench), and each test's
   * timeout the sum of the waits it makes, so a slow step fails naming what it waited for. An alert: MQTT → ingest →
   * rule evaluation → alert store → the page's event stream. A page element after an API answer: Playwright's
   * default 30 s. Signing in (SIGN_IN_MS in the sums, 2 × PAGE_MS): the page, the form's POST and the navigation
   * it shows. Each sum is written out as a number after its formula (prettier keeps a test's title on its line
   * only then).
   */
  const ALERT_MS = 30_000;
  const PAGE_MS = 30_000;

  beforeAll(async () => {
    cp = await TestCitypulse.start();
    browser = await launchChromium();
  });
  afterAll(async () => {
    // Close the browser first: its open event streams would hold the HTTP server's shutdown.
    await browser?.close();
    await Promise.all(devices.map((d) => d.client.endAsync()));
    await cp?.stop();
  });

  const co2Rule = (deviceId: string, description: string) => ({
    ...co2HighRule(deviceId),
    severity: 'critical',
    description,
  });

  it('shows an alert raised over MQTT live, without reload, and acknowledges and resolves it with notes', async () => {
    const context = await openContext(browser, DESKTOP);
    const page = await context.newPage();
    const errors = pageErrors(page);
    await signIn(page, cp, { name: 'alice' });
    await page.waitForSelector('#live[data-status="live"]');
    // Marks this document: a reload would lose it.
    await page.evaluate(() => ((globalThis as any).loadedOnce = true));

    const device = await sensor('tianjin');
    // Markup in a description must show as text, never as HTML.
    await createRule(cp, co2Rule(device.id, 'CO₂ high <img src=x id=injected>'));
    await device.client.publishAsync(
      deviceTopic(device.id, 'telemetry'),
      JSON.stringify({ ts: Date.now() - 1000, values: { co2: 1500 } }),
      { qos: 1 },
    );

    const row = page.locator('li.alert', { has: page.locator(`a.device-link:text-is("${device.id}")`) });
    await row.waitFor({ timeout: ALERT_MS });
    expect(await page.evaluate(() => (globalThis as any).loadedOnce)).toBe(true);
    expect(await row.getAttribute('data-state')).toBe('open');
    expect(await row.locator('.description').textContent()).toBe('CO₂ high <img src=x id=injected>');
    expect(await page.locator('#injected').count()).toBe(0);
    const alertId = (await row.getAttribute('data-alert-id'))!;
    await screenshot(page, 'alert-queue-desktop');

    await row.locator('input.note').fill('ventilation team called');
    await row.locator('button.ack').click();
    await page.locator(`li.alert[data-alert-id="${alertId}"][data-state="acknowledged"]`).waitFor();
    expect(await page.evaluate(() => (globalThis as any).loadedOnce)).toBe(true);

    const stored = await cp.api('GET', `/alerts/${encodeURIComponent(alertId)}`);
    expect(stored.body).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'alice', deviceId: device.id });
    const history = await cp.api('GET', `/alerts/${encodeURIComponent(alertId)}/history`);
    expect(history.body.items).toContainEqual(
      expect.objectContaining({ kind: 'acknowledged', actor: 'alice', note: 'ventilation team called' }),
    );

    await screenshot(page, 'alert-queue-acknowledged-desktop');

    // Resolved alerts leave the default (active) queue; 'any' keeps them in view.
    await page.selectOption('select[name=state]', 'any');
    await row.locator('input.note').fill('fan replaced');
    await row.locator('button.resolve').click();
    await page.locator(`li.alert[data-alert-id="${alertId}"][data-state="resolved"]`).waitFor();
    expect((await cp.api('GET', `/alerts/${encodeURIComponent(alertId)}`)).body).toMatchObject({
      state: 'resolved',
      resolvedBy: 'alice',
    });
    const kinds = (await cp.api('GET', `/alerts/${encodeURIComponent(alertId)}/history`)).body.items;
    expect(kinds).toContainEqual(expect.objectContaining({ kind: 'resolved', actor: 'alice', note: 'fan replaced' }));
    await page.selectOption('select[name=state]', 'active');
    await page.locator(`li.alert[data-alert-id="${alertId}"]`).waitFor({ state: 'detached' });
    expect(errors).toEqual([]);
    await context.close();
    // The sign-in, the live indicator, the alert, then five page waits (acknowledged, resolved, filters).
    // = SIGN_IN_MS + PAGE_MS + ALERT_MS + 5 * PAGE_MS
  }, 270_000);

  it('charts the device’s stored readings and lists its alert history', async () => {
    const device = await sensor('beijing');
    await createRule(cp, co2Rule(device.id, 'CO₂ high'));
    const now = Date.now();
    // Ten minutes of readings, one a minute, the last few over the threshold.
    const readings = Array.from({ length: 10 }, (_, i) => ({
      ts: now - (10 - i) * 60_000,
      values: { co2: 600 + i * 100, temperature: 20 + i / 2 },
    }));
    await device.client.publishAsync(deviceTopic(device.id, 'telemetry'), JSON.stringify({ readings }), { qos: 1 });
    await waitFor(
      async () => (await cp.api('GET', `/alerts?deviceId=${device.id}`)).body.items,
      (items: any[]) => items.length === 1,
      { what: 'the alert', timeoutMs: ALERT_MS },
    );
    const from = new Date(now - 15 * 60_000).toISOString();
    const history = await waitFor(
      async () =>
        (
          await cp.api(
            'GET',
            `/telemetry/${device.id}/history?from=${from}&to=${new Date(now).toISOString()}&every=1m&fields=co2`,
          )
        ).body,
      (body: any) => body?.series?.[0]?.points?.filter((p: any) => p.mean !== null).length === 10,
      { what: 'ten stored co2 points', timeoutMs: ALERT_MS },
    );

    const context = await openContext(browser, DESKTOP);
    const page = await context.newPage();
    const errors = pageErrors(page);
    await signIn(page, cp, { hash: `#/device/${device.id}` });
    const chart = page.locator('figure.chart[data-field="co2"]');
    await chart.waitFor();
    const points = await chart.locator('svg circle.point').count();
    expect(points).toBe(history.series[0].points.filter((p: any) => p.mean !== null).length);
    expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThan(0);
    expect(await page.locator('figure.chart[data-field="temperature"] svg circle.point').count()).toBeGreaterThan(0);
    // The charts say what they were read from: raw readings for an hour, the 1-hour rollup for a week.
    expect(await page.locator('.charts p.resolution').textContent()).toBe(
      'mean, min and max every 30s, from raw readings',
    );
    // That line spans the grid above the charts, rather than taking a chart's cell beside the first one.
    const line = (await page.locator('.charts p.resolution').boundingBox())!;
    const firstChart = (await page.locator('.charts figure.chart').first().boundingBox())!;
    expect(line.y + line.height).toBeLessThanOrEqual(firstChart.y);
    await page.locator('.ranges button[data-range="7d"]').click();
    await page
      .locator('.charts[data-range="7d"] p.resolution[data-resolution="1h"]', {
        hasText: 'every 2h, from 1-hour rollups',
      })
      .waitFor();
    await page.locator('.ranges button[data-range="1h"]').click();
    await page.locator('.charts[data-range="1h"] figure.chart[data-field="co2"]').waitFor();

    const entry = page.locator('.alert-history li.alert-entry');
    await entry.first().waitFor();
    expect(await entry.count()).toBe(1);
    expect(await entry.getAttribute('data-state')).toBe('open');
    await entry.locator('button', { hasText: 'history' }).click();
    await entry.locator('.transitions li', { hasText: 'raised' }).waitFor();
    await screenshot(page, 'device-page-desktop');
    expect(errors).toEqual([]);
    await context.close();
    // The alert and the stored points, the sign-in, then five page waits (charts, two ranges, the history).
    // = 2 * ALERT_MS + SIGN_IN_MS + 5 * PAGE_MS
  }, 270_000);

  it('shows per-city online and offline counts that match the API, and fits a phone screen', async () => {
    const online = await Promise.all([sensor('shijiazhuang'), sensor('shijiazhuang')]);
    await cp.provision({
      id: uniqueName('off-'),
      type: 'env-sensor',
      city: 'shijiazhuang',
      site: 'shijiazhuang-depot',
    });
    await createRule(cp, co2Rule(online[0].id, 'CO₂ high'));
    await online[0].publish({ co2: 1400 }, Date.now() - 1000);
    await waitFor(
      async () => (await cp.api('GET', `/alerts?deviceId=${online[0].id}`)).body.items,
      (items: any[]) => items.length === 1,
      { what: 'the alert', timeoutMs: ALERT_MS },
    );
    const apiCounts = async () =>
      (await cp.api('GET', '/presence/counts')).body as Record<string, { online: number; offline: number }>;
    expect((await apiCounts()).shijiazhuang).toMatchObject({ online: 2, offline: 1 });

    for (const [viewport, label] of [
      [DESKTOP, 'desktop'],
      [PHONE, 'phone'],
    ] as const) {
      const context = await openContext(browser, viewport);
      const page = await context.newPage();
      await signIn(page, cp, { hash: '#/fleet' });
      await page.locator('section.city').first().waitFor();
      // Earlier tests' devices may still be going offline: the page follows presence events, so
      // it converges on what the API says.
      const shown = () =>
        page.$$eval('section.city', (cards) =>
          Object.fromEntries(
            cards.map((c) => [
              c.getAttribute('data-city'),
              { online: Number(c.getAttribute('data-online')), offline: Number(c.getAttribute('data-offline')) },
            ]),
          ),
        );
      const both = await waitFor(
        async () => ({ page: await shown(), api: await apiCounts() }),
        ({ page, api }) => JSON.stringify(page) === JSON.stringify(pick(api)),
        { what: 'the page showing the API’s counts', timeoutMs: PAGE_MS },
      );
      expect(both.page).toEqual(pick(both.api));
      expect(both.page.shijiazhuang).toEqual({ online: 2, offline: 1 });
      const alerting = page.locator('section.city[data-city="shijiazhuang"] ul.alerting li');
      expect(await alerting.getAttribute('data-device-id')).toBe(online[0].id);
      expect(await scrollsSideways(page)).toBe(false);
      await screenshot(page, `fleet-${label}`);

      if (label === 'phone') await checkPhoneViews(page, online[0].id);
      await context.close();
    }
    // The alert; per viewport the sign-in and three page waits (cities, counts, alerting list); the phone's three
    // views.
    // = ALERT_MS + 2 * (SIGN_IN_MS + 3 * PAGE_MS) + 3 * PAGE_MS
  }, 420_000);

  it('serves its page under a strict CSP, and signing in and out sets and clears the HttpOnly /queues cookie', async () => {
    const page = await fetch(consoleUrl(cp));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect((await fetch(consoleUrl(cp, '/main.js'))).headers.get('content-type')).toContain('text/javascript');
    expect((await fetch(consoleUrl(cp, '/..%2Fconsole.module.ts'))).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${cp.running.httpPort}/console/session`, { method: 'POST' })).status).toBe(
      401,
    );

    const context = await openContext(browser, DESKTOP);
    const tab = await context.newPage();
    await tab.goto(consoleUrl(cp));
    await tab.fill('input[name=token]', 'not-a-token');
    await tab.click('form.login button[type=submit]');
    await tab.locator('form.login .error', { hasText: 'invalid token' }).waitFor();
    expect(await context.cookies()).toEqual([]);

    await signIn(tab, cp);
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({
      name: 'citypulse_token',
      value: cp.config.http.adminToken,
      path: '/queues',
      httpOnly: true,
      sameSite: 'Strict',
    });
    expect(await tab.evaluate(() => (globalThis as any).document.cookie)).toBe('');
    expect(await tab.evaluate(() => (globalThis as any).sessionStorage.getItem('citypulse.token'))).toBe(
      cp.config.http.adminToken,
    );

    await tab.click('#logout');
    await tab.locator('form.login').waitFor();
    expect(await context.cookies()).toEqual([]);
    expect(await tab.evaluate(() => (globalThis as any).sessionStorage.getItem('citypulse.token'))).toBeNull();
    await context.close();
    // Two page loads with a form each, a sign-in, the log-out.
    // = 2 * SIGN_IN_MS + SIGN_IN_MS + PAGE_MS
  }, 210_000);

  it('signs an operator token in to a read-only queue view, and back out to the login when the token is revoked', async () => {
    const name = uniqueName('op-');
    const { token } = (await cp.api('POST', '/tokens', { name, role: 'operator', cities: ['tianjin'] })).body;
    const context = await openContext(browser, DESKTOP);
    const page = await context.newPage();
    await signIn(page, cp, { token, hash: '#/queues' });
    await page.locator('main .error', { hasText: 'needs an admin token' }).waitFor();

    expect((await cp.api('DELETE', `/tokens/${name}`)).status).toBe(204);
    await page.click('#nav a[data-view="fleet"]');
    await page.locator('form.login').waitFor();
    expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('citypulse.token'))).toBeNull();
    await context.close();
    // = SIGN_IN_MS + 3 * PAGE_MS
  }, 150_000);

  it('lists the certificates expiring within 30 days, soonest first, in the Certificates view', async () => {
    const pki = await TestPki.create();
    try {
      const id = uniqueName('cert-');
      await cp.provision({ id, type: 'env-sensor', city: 'tianjin', site: 'tj-port-1' });
      const ca = await pki.ca('console');
      const endDate = `${new Date(Date.now() + 10 * 86_400_000).toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
      const cert = await pki.deviceCert(ca, id, { endDate });
      expect(
        (await cp.api('POST', `/devices/${id}/certificates`, { certificate: readFileSync(cert.cert, 'utf8') })).status,
      ).toBe(201);
      const context = await openContext(browser, DESKTOP);
      const page = await context.newPage();
      await signIn(page, cp, { hash: '#/certificates' });
      const row = page.locator(`table.certificates tr[data-device-id="${id}"]`);
      await row.waitFor();
      expect(Number(await row.locator('td[data-days-left]').getAttribute('data-days-left'))).toBeGreaterThanOrEqual(9);
      await screenshot(page, 'certificates-desktop');
      await context.close();
    } finally {
      await pki.remove();
    }
    // openssl for the CA and the certificate, the sign-in and the row.
    // = PAGE_MS + SIGN_IN_MS + PAGE_MS
  }, 120_000);

  const pick = (counts: Record<string, { online: number; offline: number }>) =>
    Object.fromEntries(Object.entries(counts).map(([city, c]) => [city, { online: c.online, offline: c.offline }]));

  /** Every view of the console fits 390 px without sideways scrolling. */
  async function checkPhoneViews(page: Page, deviceId: string): Promise<void> {
    await page.goto(consoleUrl(cp, '#/alerts'));
    await page.locator('li.alert').first().waitFor();
    expect(await scrollsSideways(page)).toBe(false);
    await screenshot(page, 'alert-queue-phone');

    await page.goto(consoleUrl(cp, `#/device/${deviceId}`));
    await page.locator('figure.chart').first().waitFor();
    expect(await scrollsSideways(page)).toBe(false);
    await screenshot(page, 'device-page-phone');

    await page.goto(consoleUrl(cp, '#/queues'));
    await page.locator('table.queues tbody tr').first().waitFor();
    expect(await scrollsSideways(page)).toBe(false);
    await screenshot(page, 'queues-phone');
  }
});
