import type { Browser, Page } from 'playwright-core';
import { uniqueName, waitFor } from '@citypulse/testing';
import { TestCitypulse } from '../harness.js';
import { connectedSensor, createRule, waitForAlerts, type TestDevice } from '../alerts/alert-helpers.js';
import { DESKTOP, consoleUrl, launchChromium, openContext, pageErrors, screenshot, signIn } from './console-browser.js';

/**
 * The alert queue never hides an alert, and live updates never eat what an operator types: a
 * storm of 250 warnings raised over MQTT with one older critical alert, a note typed while
 * alerts arrive and change, bulk acknowledgement, the device page's last seen and chart, all in
 * a real Chromium against the real stack. Every wait is on an outcome in the page or the API.
 */
describe('the operator console’s alert queue', () => {
  let cp: TestCitypulse;
  let browser: Browser;
  const devices: TestDevice[] = [];
  const sensor = async (city: string) => {
    const device = await connectedSensor(cp, city);
    devices.push(device);
    return device;
  };
  /** The storm's city: the other tests raise their alerts elsewhere. */
  const STORM_CITY = 'tianjin';
  const WARNINGS = 250;
  /**
   * How long each kind of wait may take on a loaded machine (the console soak runs these suites beside the ingest
   * bench), and each test's own timeout as the sum of the waits it makes, so a slow step fails with its own message
   * (what it waited for) rather than jest's. An alert through the pipeline: MQTT → ingest → rule evaluation (which
   * may wait up to 5 s for its device's earlier jobs) → alert store → SSE. The page: Playwright's default 30 s for
   * an element that follows an API answer. Signing in (SIGN_IN_MS in the sums, 2 × PAGE_MS): the page load, then
   * the form's POST and the navigation it shows. Jest wants a test's timeout as a number: the sum is written out.
   */
  const ALERT_MS = 30_000;
  const PAGE_MS = 30_000;

  beforeAll(async () => {
    // Deadman checks every second (production: 15 s), so the deadman card's test waits seconds, not a quarter minute.
    cp = await TestCitypulse.start({ CP_ALERT_DEADMAN_INTERVAL_MS: '1000' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all(devices.map((d) => d.client.endAsync()));
    await cp?.stop();
  });

  const co2Rule = (id: string, deviceId: string, severity: string, threshold: number, description?: string) => ({
    id,
    deviceType: 'env-sensor',
    scope: { deviceId },
    field: 'co2',
    condition: { kind: 'above', threshold, clearBelow: threshold - 100 },
    severity,
    ...(description !== undefined && { description }),
  });

  async function openQueue(hash = '#/alerts'): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
    const context = await openContext(browser, DESKTOP);
    context.setDefaultTimeout(PAGE_MS);
    const page = await context.newPage();
    const errors = pageErrors(page);
    await signIn(page, cp, { hash });
    return { page, errors, close: () => context.close() };
  }

  it('shows the one critical alert first among 250 newer warnings, counts every alert, and pages through the rest', async () => {
    const critical = await sensor(STORM_CITY);
    const noisy = await sensor(STORM_CITY);
    await createRule(cp, co2Rule(`crit-${critical.id}`, critical.id, 'critical', 1000, 'CO₂ dangerous'));
    // Rules without a description: their alerts are titled by the rule id.
    for (let i = 0; i < WARNINGS; i += 25) {
      await Promise.all(
        Array.from({ length: 25 }, (_, j) =>
          createRule(cp, co2Rule(`storm-${i + j}-${noisy.id}`, noisy.id, 'warning', 1000)),
        ),
      );
    }
    // The critical alert is the oldest: newest-first it would be the 251st, beyond the first page.
    await critical.publish({ co2: 1400 }, Date.now() - 60_000);
    await waitForAlerts(cp, critical.id, (items) => items.length === 1, 'the critical alert', '', ALERT_MS);
    await noisy.publish({ co2: 1400 }, Date.now() - 30_000);
    // 250 rule evaluations through the real pipeline: under a load average of 18 (the console
    // soak beside five other test runs) 246 of them were in after 30 s — wait as long as that takes.
    await waitFor(
      async () => (await cp.api('GET', `/alerts/counts?city=${STORM_CITY}`)).body.counts.warning.open,
      (n: number) => n === WARNINGS,
      { what: '250 warnings', timeoutMs: 90_000 },
    );

    // The API: newest first puts the critical alert last; most severe first puts it first.
    const byTime = (await cp.api('GET', `/alerts?city=${STORM_CITY}&state=active&limit=200`)).body;
    expect(byTime.items.some((a: any) => a.severity === 'critical')).toBe(false);
    expect(byTime.more).toBe(true);
    const bySeverity = (await cp.api('GET', `/alerts?city=${STORM_CITY}&state=active&order=severity&limit=200`)).body;
    expect(bySeverity.items[0]).toMatchObject({ severity: 'critical', deviceId: critical.id });
    expect(bySeverity).toMatchObject({ total: WARNINGS + 1, more: true });

    const { page, errors, close } = await openQueue();
    const first = page.locator('ol.alert-list > li.alert').first();
    await page.locator('ol.alert-list > li.alert').nth(199).waitFor();
    expect(await first.getAttribute('data-severity')).toBe('critical');
    expect(await first.locator('a.device-link').textContent()).toBe(critical.id);
    expect(await first.isVisible()).toBe(true);
    expect(await first.evaluate((li) => li.getBoundingClientRect().top < (globalThis as any).innerHeight)).toBe(true);

    // Counts per severity and state, of everything the filters match.
    const criticalCount = page.locator('.alert-counts button[data-severity="critical"]');
    await page.locator(`.alert-counts button[data-severity="warning"][data-count="${WARNINGS}"]`).waitFor();
    expect(await criticalCount.getAttribute('data-count')).toBe('1');
    expect(await page.locator('.alert-counts button[data-severity="info"]').getAttribute('data-count')).toBe('0');
    // The default filter (active) counts its states: all open, none acknowledged yet.
    await page.locator(`.alert-counts .state-count[data-state="open"][data-count="${WARNINGS + 1}"]`).waitFor();
    expect(await page.locator('.alert-counts .state-count[data-state="acknowledged"]').getAttribute('data-count')).toBe(
      '0',
    );
    await page.locator(`.summary[data-total="${WARNINGS + 1}"]`).waitFor();
    // The first page is 200; alerts still announced live after the page loaded join it, so the
    // summary and the button are read together.
    const { shown, summary, moreText } = await page.evaluate(() => {
      const doc = (globalThis as any).document;
      return {
        shown: Number(doc.querySelector('.summary').dataset.shown),
        summary: doc.querySelector('.summary').textContent,
        moreText: doc.querySelector('button.more').textContent,
      };
    });
    expect(shown).toBeGreaterThanOrEqual(200);
    expect(summary).toBe(`Showing ${shown} of ${WARNINGS + 1} alerts`);
    const more = page.locator('button.more');
    if (shown < WARNINGS + 1) expect(moreText).toContain(`${WARNINGS + 1 - shown} more`);
    // A rule without a description: its id is the title.
    const warning = page.locator(`li.alert[data-severity="warning"]`).first();
    expect(await warning.locator('.description').textContent()).toMatch(new RegExp(`^storm-\\d+-${noisy.id}$`));
    // The unit comes from the catalogue (GET /device-types), which may arrive after the list.
    await warning.locator('.facts dd', { hasText: '1400 ppm' }).first().waitFor();

    if (await more.isVisible()) await more.click();
    await page.locator('ol.alert-list > li.alert').nth(WARNINGS).waitFor();
    await page.locator('.summary', { hasText: `Showing ${WARNINGS + 1} of ${WARNINGS + 1} alerts` }).waitFor();
    await more.waitFor({ state: 'hidden' });

    // One click shows just the critical alerts.
    await criticalCount.click();
    await waitFor(
      () => page.locator('ol.alert-list > li.alert').count(),
      (n) => n === 1,
      { what: 'only the critical alert' },
    );
    expect(await page.locator('ol.alert-list > li.alert').getAttribute('data-severity')).toBe('critical');

    // The fleet view puts the city's critical device first, however many warnings the other has.
    await page.goto(consoleUrl(cp, '#/fleet'));
    const alerting = page.locator(`section.city[data-city="${STORM_CITY}"] ul.alerting li`);
    await alerting.nth(1).waitFor();
    expect(await alerting.first().getAttribute('data-device-id')).toBe(critical.id);
    expect(await alerting.nth(1).textContent()).toContain(`${WARNINGS} alerts`);

    // The noisy device's page lists its alerts 50 at a time and says how many more there are.
    await page.goto(consoleUrl(cp, `#/device/${noisy.id}`));
    const entries = page.locator('.alert-history li.alert-entry');
    const moreAlerts = page.locator('.alert-history button.more');
    await moreAlerts.waitFor();
    expect(await entries.count()).toBe(50);
    expect(await moreAlerts.textContent()).toBe(`${WARNINGS - 50} more`);
    await moreAlerts.click();
    await entries.nth(99).waitFor();
    expect(await moreAlerts.textContent()).toBe(`${WARNINGS - 100} more`);
    expect(errors).toEqual([]);
    await close();
    // 251 rules and alerts through the real pipeline (the critical alert, then 90 s for the storm), the sign-in and
    // about ten page waits (the first page, counts, the next page, the filter, the fleet, the device's pages).
    // = ALERT_MS + 90_000 + SIGN_IN_MS + 10 * PAGE_MS
  }, 480_000);

  it('acknowledges the selected alerts at once with one note, shown on each card', async () => {
    const device = await sensor('shijiazhuang');
    for (let i = 0; i < 3; i++)
      await createRule(cp, co2Rule(`bulk-${i}-${device.id}`, device.id, 'warning', 1000, `bulk ${i}`));
    await device.publish({ co2: 1300 }, Date.now() - 5000);
    const alerts = await waitForAlerts(cp, device.id, (items) => items.length === 3, 'three alerts', '', ALERT_MS);

    const { page, errors, close } = await openQueue();
    await page.selectOption('select[name=city]', 'shijiazhuang');
    const rows = page.locator('ol.alert-list > li.alert');
    await waitFor(
      () => rows.count(),
      (n) => n === 3,
      { what: 'the city’s three alerts' },
    );
    await page.check('.bulk input.select-all');
    await page.locator('.bulk[data-selected="3"]').waitFor();
    await page.fill('.bulk input.bulk-note', 'one cause: ventilation off');
    await page.click('.bulk button.bulk-ack');
    await page.locator('.bulk .bulk-result', { hasText: 'acknowledged 3' }).waitFor();
    for (const alert of alerts) {
      const card = page.locator(`li.alert[data-alert-id="${alert.id}"]`);
      await card.locator('.last-note', { hasText: 'one cause: ventilation off' }).waitFor();
      expect(await card.getAttribute('data-state')).toBe('acknowledged');
      const stored = (await cp.api('GET', `/alerts/${encodeURIComponent(alert.id)}`)).body;
      expect(stored).toMatchObject({
        state: 'acknowledged',
        acknowledgedBy: 'alice',
        lastNote: 'one cause: ventilation off',
      });
    }

    // Assign two of them at once, with a note: the assignee and the note on both cards, the third untouched.
    const [first, second, third] = alerts.map((a) => page.locator(`li.alert[data-alert-id="${a.id}"]`));
    await first.locator('input.select').check();
    await second.locator('input.select').check();
    await page.locator('.bulk[data-selected="2"]').waitFor();
    await page.fill('.bulk input.bulk-note', 'carol checks the vents');
    await page.fill('.bulk input.bulk-assignee', 'carol');
    await page.click('.bulk button.bulk-assign');
    await page.locator('.bulk .bulk-result', { hasText: 'assigned 2' }).waitFor();
    for (const card of [first, second]) {
      await card.locator('.last-note', { hasText: 'carol checks the vents' }).waitFor();
      await card.locator('.facts div', { hasText: 'assignee' }).locator('dd', { hasText: 'carol' }).waitFor();
    }
    expect(await third.locator('.facts div', { hasText: 'assignee' }).locator('dd').textContent()).toBe('—');
    expect(await third.locator('.last-note q').textContent()).toBe('one cause: ventilation off');
    for (const alert of alerts.slice(0, 2)) {
      expect((await cp.api('GET', `/alerts/${encodeURIComponent(alert.id)}`)).body).toMatchObject({
        assignee: 'carol',
        lastNote: 'carol checks the vents',
      });
      expect((await cp.api('GET', `/alerts/${encodeURIComponent(alert.id)}/history`)).body.items).toContainEqual(
        expect.objectContaining({ kind: 'assigned', actor: 'alice', note: 'carol checks the vents' }),
      );
    }

    // Bad input names the field.
    const refused = await cp.api('POST', '/alerts/bulk', { action: 'assign', ids: [alerts[0].id], by: 'alice' });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('assignee');
    expect(errors).toEqual([]);
    await close();
    // The three alerts, the sign-in, and about a dozen page waits (list, selection, results, notes on the cards).
    // = ALERT_MS + SIGN_IN_MS + 12 * PAGE_MS
  }, 450_000);

  it('keeps a note being typed while alerts arrive and change live, and resolves with it', async () => {
    const device = await sensor('beijing');
    const other = await sensor('beijing');
    await createRule(cp, co2Rule(`note-${device.id}`, device.id, 'warning', 1000, 'CO₂ high'));
    await createRule(cp, co2Rule(`other-${other.id}`, other.id, 'critical', 1000, 'CO₂ dangerous'));
    await device.publish({ co2: 1300 }, Date.now() - 10_000);
    const [alert] = await waitForAlerts(cp, device.id, (items) => items.length === 1, 'the alert', '', ALERT_MS);

    const { page, errors, close } = await openQueue();
    await page.waitForSelector('#live[data-status="live"]');
    const card = page.locator(`li.alert[data-alert-id="${alert.id}"]`);
    const note = card.locator('input.note');
    await note.click();
    await page.keyboard.type('pump 3 ');

    // Live changes while the note is half typed: a colleague assigns the same alert (its card is
    // rebuilt) and a critical alert arrives above it over MQTT (the list reorders).
    expect(
      (await cp.api('POST', `/alerts/${encodeURIComponent(alert.id)}/assign`, { by: 'bob', assignee: 'carol' })).status,
    ).toBe(200);
    await other.publish({ co2: 1500 }, Date.now() - 4000);
    await card.locator('.facts div', { hasText: 'assignee' }).locator('dd', { hasText: 'carol' }).waitFor();
    // The critical alert goes through the whole pipeline before the stream brings it.
    await page
      .locator(`ol.alert-list > li.alert[data-severity="critical"] a.device-link:text-is("${other.id}")`)
      .waitFor({ timeout: ALERT_MS });
    expect(await note.inputValue()).toBe('pump 3 ');
    expect(await note.evaluate((el) => el === (globalThis as any).document.activeElement)).toBe(true);

    // Typing goes on where it was: the field still has the focus.
    await page.keyboard.type('replaced');
    expect(await note.inputValue()).toBe('pump 3 replaced');
    await card.locator('button.resolve').click();
    await waitFor(
      async () => (await cp.api('GET', `/alerts/${encodeURIComponent(alert.id)}`)).body,
      (a: any) => a.state === 'resolved',
      { what: 'the resolved alert' },
    );
    const history = (await cp.api('GET', `/alerts/${encodeURIComponent(alert.id)}/history`)).body.items;
    expect(history).toContainEqual(
      expect.objectContaining({ kind: 'resolved', actor: 'alice', note: 'pump 3 replaced' }),
    );
    expect(errors).toEqual([]);
    await close();
    // Two alerts through the pipeline, the sign-in and a few page waits (live, the assignee, the resolve).
    // = 2 * ALERT_MS + SIGN_IN_MS + 4 * PAGE_MS
  }, 240_000);

  it('advances a publishing device’s last seen, and charts its field with axes, unit, the rule’s threshold and the alert period', async () => {
    const device = await sensor('beijing');
    await createRule(cp, co2Rule(`chart-${device.id}`, device.id, 'critical', 1000, 'CO₂ dangerous'));
    const now = Date.now();
    const readings = Array.from({ length: 10 }, (_, i) => ({
      ts: now - (10 - i) * 60_000,
      values: { co2: 600 + i * 100 },
    }));
    await device.client.publishAsync(`devices/${device.id}/telemetry`, JSON.stringify({ readings }), { qos: 1 });
    await waitForAlerts(cp, device.id, (items) => items.length === 1, 'the alert', '', ALERT_MS);
    const from = new Date(now - 15 * 60_000).toISOString();
    await waitFor(
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

    const { page, errors, close } = await openQueue(`#/device/${device.id}`);
    const chart = page.locator('figure.chart[data-field="co2"]');
    await chart.locator('svg circle.point').first().waitFor();
    expect(await chart.getAttribute('data-unit')).toBe('ppm');
    expect(await chart.locator('.axis-title').textContent()).toBe('co2 (ppm)');
    expect(await chart.locator('.y-tick text').count()).toBeGreaterThanOrEqual(3);
    expect(await chart.locator('.x-tick text').count()).toBeGreaterThanOrEqual(2);
    expect(await chart.locator('.threshold.sev-critical[data-value="1000"]').count()).toBe(1);
    expect(await chart.locator('rect.alert-period.sev-critical').count()).toBe(1);

    // It keeps publishing, a reading a few hundred ms apart: last seen follows.
    const lastSeen = page.locator('.last-seen');
    const before = Date.parse((await lastSeen.getAttribute('data-last-seen'))!);
    let publishing = true;
    const publisher = (async () => {
      while (publishing) {
        await device.publish({ co2: 900 });
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    })();
    try {
      // The page re-reads the device every 3 s; each reading goes through ingest first.
      const advanced = await waitFor(
        async () => Date.parse((await lastSeen.getAttribute('data-last-seen')) ?? ''),
        (t) => t >= before + 2000,
        { what: 'last seen advancing', timeoutMs: ALERT_MS },
      );
      const presence = (await cp.api('GET', `/devices/${device.id}`)).body.presence;
      expect(Date.parse(presence.lastSeen)).toBeGreaterThanOrEqual(advanced);
      expect(Date.parse(presence.lastSeen)).toBeGreaterThan(Date.parse(presence.connectedSince) + 2000);
    } finally {
      publishing = false;
      await publisher;
    }
    await screenshot(page, 'device-chart-desktop');
    expect(errors).toEqual([]);
    await close();
    // The alert, the stored points, the sign-in, the chart, and last seen advancing.
    // = 3 * ALERT_MS + SIGN_IN_MS + 2 * PAGE_MS
  }, 210_000);

  it('gives a deadman alert’s card its rule id as title and its silence in seconds', async () => {
    const device = await sensor('baoding');
    // No description: the card is titled by the rule id.
    await createRule(cp, {
      id: `quiet-${device.id}`,
      deviceType: 'env-sensor',
      scope: { deviceId: device.id },
      condition: { kind: 'deadman', afterSeconds: 2, when: 'no-data' },
      severity: 'warning',
    });
    await device.publish({ co2: 500 });
    // Silent 2 s, then the next deadman check (every second here) raises it.
    const [alert] = await waitForAlerts(
      cp,
      device.id,
      (items) => items.length === 1,
      'the deadman alert',
      '',
      ALERT_MS,
    );
    expect(alert).toMatchObject({ ruleKind: 'deadman', field: '' });

    const { page, errors, close } = await openQueue();
    const card = page.locator(`li.alert[data-alert-id="${alert.id}"]`);
    await card.waitFor();
    expect(await card.locator('.description').textContent()).toBe(`quiet-${device.id}`);
    expect(await card.locator('.rule-id').textContent()).toBe('(rule has no description)');
    const fact = (term: string) => card.locator('.facts div', { has: page.locator(`dt:text-is("${term}")`) });
    expect(await fact('field').locator('dd').textContent()).toBe('no data');
    expect(await fact('silent for').locator('dd').textContent()).toMatch(/^\d[\d,.]* s$/);
    expect(await fact('longest silence').locator('dd').textContent()).toMatch(/^\d[\d,.]* s$/);
    expect(await fact('last').count()).toBe(0);
    expect(errors).toEqual([]);
    await close();
    // = ALERT_MS + SIGN_IN_MS + 2 * PAGE_MS
  }, 150_000);

  it('shows no navigation and no log-out button on the sign-in page', async () => {
    const context = await openContext(browser, DESKTOP);
    const page = await context.newPage();
    await page.goto(consoleUrl(cp, '#/alerts'));
    await page.locator('form.login').waitFor();
    expect(await page.locator('#nav').isVisible()).toBe(false);
    expect(await page.locator('#logout').isVisible()).toBe(false);
    expect(await page.locator('#nav a').first().isVisible()).toBe(false);
    await context.close();
  });

  it('answers GET /alerts/counts and ?order= within the caller’s cities, and names a bad field', async () => {
    const name = uniqueName('op-');
    const { token } = (await cp.api('POST', '/tokens', { name, role: 'operator', cities: ['beijing'] })).body;
    const asOperator = (path: string) =>
      fetch(`http://127.0.0.1:${cp.running.httpPort}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const counts = (await (await asOperator('/alerts/counts')).json()) as any;
    // The storm is in tianjin: none of it reaches a Beijing operator.
    expect(counts.counts.warning.open).toBeLessThan(WARNINGS);
    expect(
      counts.counts.critical.open + counts.counts.critical.acknowledged + counts.counts.critical.resolved,
    ).toBeGreaterThanOrEqual(1);
    expect((await asOperator(`/alerts/counts?city=${STORM_CITY}`)).status).toBe(403);
    const bad = await cp.api('GET', '/alerts?order=loudest');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('order');
  });
});
