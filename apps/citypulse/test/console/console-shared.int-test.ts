import type { Browser } from 'playwright-core';
import type { MqttClient } from 'mqtt';
import { deviceTopic } from '@citypulse/contracts';
import { uniqueName, waitFor } from '@citypulse/testing';
import { TestCitypulse } from '../harness.js';
import { DESKTOP, launchChromium, openContext, pageErrors, screenshot, signIn } from './console-browser.js';

/**
 * The console's Shared view for the receiving city, in a real Chromium against the real stack:
 * Tianjin's meters publish over MQTT; Beijing's operator sees the shares Tianjin gave Beijing —
 * a chart and live readings of tj-port's active_power, and the frequency alerts Tianjin chose to
 * share — each marked with source city and agreement, nothing of tj-airport or of fields outside
 * the agreement, no action on Tianjin's alerts, and a share that ends once revoked.
 */
describe('the console’s Shared view', () => {
  let cp: TestCitypulse;
  let browser: Browser;
  const tokens: Record<'tjAdmin' | 'bjAdmin' | 'bjOperator', string> = {} as never;
  const meters: Record<'port' | 'airport', { id: string; client: MqttClient }> = {} as never;
  let rawShare: string;
  let aggregateShare: string;
  let alertShare: string;
  let districtShare: string;
  const iso = (ms: number) => new Date(ms).toISOString();
  /**
   * Waits sized for a loaded machine (the console soak): an alert through the pipeline, a page element after an API
   * answer or a live message (Playwright's default), the sign-in (SIGN_IN_MS in the sums, 2 × PAGE_MS: page, POST,
   * navigation); each test's timeout the sum of its waits, written out as a number after its formula.
   */
  const ALERT_MS = 30_000;
  const PAGE_MS = 30_000;

  async function publish(meter: 'port' | 'airport', values: Record<string, number>, ts = Date.now()) {
    await meters[meter].client.publishAsync(
      deviceTopic(meters[meter].id, 'telemetry'),
      JSON.stringify({ ts, values }),
      { qos: 1 },
    );
  }

  async function offer(body: Record<string, unknown>): Promise<string> {
    const window = {
      from: iso(Date.now() - 3_600_000),
      to: iso(Date.now() + 3_600_000),
      expiresAt: iso(Date.now() + 3_600_000),
    };
    const { status, body: share } = await cp.api(
      'POST',
      '/shares',
      { fromCity: 'tianjin', toCity: 'beijing', ...window, ...body },
      tokens.tjAdmin,
    );
    if (status !== 201) throw new Error(`offer: ${status} ${JSON.stringify(share)}`);
    expect((await cp.api('POST', `/shares/${share.id}/accept`, {}, tokens.bjAdmin)).status).toBe(200);
    return share.id;
  }

  beforeAll(async () => {
    cp = await TestCitypulse.start({ CP_SHARE_LIVE_TICK_MS: '200' });
    browser = await launchChromium();
    [tokens.tjAdmin, tokens.bjAdmin, tokens.bjOperator] = await Promise.all([
      cp.issueToken(uniqueName('tj-admin-'), 'admin', ['tianjin']),
      cp.issueToken(uniqueName('bj-admin-'), 'admin', ['beijing']),
      cp.issueToken(uniqueName('bj-op-'), 'operator', ['beijing']),
    ]);
    for (const [key, site] of [
      ['port', 'tj-port'],
      ['airport', 'tj-airport'],
    ] as const) {
      const id = uniqueName(`tj-m-${key}-`);
      const secret = await cp.provision({ id, type: 'electricity-meter', city: 'tianjin', site });
      meters[key] = { id, client: await cp.connectDevice(id, secret) };
    }
    rawShare = await offer({
      deviceTypes: ['electricity-meter'],
      fields: ['active_power'],
      sites: ['tj-port'],
      granularity: { kind: 'raw' },
    });
    aggregateShare = await offer({
      deviceTypes: ['electricity-meter'],
      fields: ['active_power'],
      sites: ['tj-port'],
      granularity: { kind: 'aggregate', minIntervalMinutes: 5 },
    });
    alertShare = await offer({ kind: 'alerts', alerts: { fields: ['frequency'] } });
    // Both meters' sites in one district: its total of two meters is shared, never either meter's reading.
    const districts = { districts: [{ name: 'tj-coast', sites: ['tj-port', 'tj-airport'] }] };
    expect((await cp.api('PUT', '/cities/tianjin/districts', districts, tokens.tjAdmin)).status).toBe(200);
    districtShare = await offer({
      deviceTypes: ['electricity-meter'],
      fields: ['active_power'],
      granularity: { kind: 'district-totals', minIntervalMinutes: 1, minDevices: 2 },
    });
    for (const [id, field, threshold] of [
      ['freq-high', 'frequency', 50.5],
      ['power-high', 'active_power', 400],
    ] as const) {
      const { status } = await cp.api('POST', '/rules', {
        id: `${id}-${meters.port.id}`,
        deviceType: 'electricity-meter',
        scope: { deviceId: meters.port.id },
        field,
        condition: { kind: 'above', threshold },
        severity: 'critical',
      });
      expect(status).toBe(201);
    }
    // Readings a minute back (the chart has data to draw), Tianjin-only ones at tj-airport, and two alerts of which
    // one is shared.
    await publish('port', { active_power: 120, voltage: 231 }, Date.now() - 60_000);
    await publish('airport', { active_power: 488.5, voltage: 232 }, Date.now() - 60_000);
    await publish('port', { frequency: 51, active_power: 450, voltage: 233 });
    await waitFor(
      async () => (await cp.api('GET', `/alerts?deviceId=${meters.port.id}`)).body.items.length,
      (n) => n === 2,
      { what: 'both alerts raised', timeoutMs: ALERT_MS },
    );
    // Citypulse, Chromium, tokens, shares, two meters and their readings, then the two alerts.
    // = 2 * PAGE_MS + ALERT_MS
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await Promise.all(Object.values(meters ?? {}).map((m) => m.client.endAsync()));
    await cp?.stop();
  });

  it('shows the receiving city each share marked with source city and agreement, only what it gives, read-only, and ends a revoked one', async () => {
    const context = await openContext(browser, DESKTOP);
    context.setDefaultTimeout(PAGE_MS);
    const page = await context.newPage();
    const errors = pageErrors(page);
    await signIn(page, cp, { token: tokens.bjOperator, name: 'bo', hash: '#/shared' });

    const raw = page.locator(`section.shared[data-share-id="${rawShare}"]`);
    const alerts = page.locator(`section.shared[data-share-id="${alertShare}"]`);
    await raw.waitFor();
    expect(await raw.getAttribute('data-source-city')).toBe('tianjin');
    expect(await raw.locator('.provenance').innerText()).toContain(`from tianjin ${rawShare}`);
    // The chart of the shared field, over the share's data, marked likewise.
    await raw.locator('.shared-chart[data-field="active_power"] figure.chart:not(.empty)').waitFor();
    expect(await raw.locator('.shared-chart').innerText()).toContain(`tianjin · ${rawShare}`);
    // Live readings arrive in the table, each marked; tj-airport's and other fields never do.
    await publish('port', { active_power: 321, voltage: 234 });
    // Matched in the value cell: the share id in every row's source cell may contain "321" too.
    await raw.locator('table.shared-live tbody tr td.value', { hasText: /^\s*321\b/ }).waitFor();
    const live = await raw
      .locator('table.shared-live tbody tr')
      .evaluateAll((rows) => rows.map((row: any) => [row.dataset.sourceCity, row.dataset.share, row.innerText]));
    for (const [city, share, text] of live) {
      expect([city, share]).toEqual(['tianjin', rawShare]);
      expect(text).toContain('tj-port');
      expect(text).toContain('electricity-meter.active_power');
    }
    const all = await page.locator('#view').innerText();
    expect(all).not.toContain('488.5');
    expect(all).not.toContain('tj-airport');
    expect(all).not.toMatch(/voltage/);

    // The aggregate-only share: 5-minute aggregates at the finest, never a device's reading.
    const aggregate = page.locator(`section.shared[data-share-id="${aggregateShare}"]`);
    await aggregate.locator('.shared-chart[data-field="active_power"]').waitFor();
    expect(await aggregate.locator('.shared-chart').innerText()).toContain(`tianjin · ${aggregateShare} · every 5m`);
    expect(await aggregate.innerText()).not.toContain(meters.port.id);

    // The district-totals share: the district's sum of its two meters per minute, charted and live, no meter's own.
    const district = page.locator(`section.shared[data-share-id="${districtShare}"]`);
    expect(await district.locator('.provenance').innerText()).toContain('district totals ≥ 1 min of ≥ 2 devices');
    await district.locator('.shared-chart[data-group="tj-coast"] figure.chart:not(.empty)').waitFor();
    await district.locator('table.shared-live tbody tr', { hasText: 'sum 608.5' }).waitFor();
    expect(await district.locator('table.shared-live tbody tr').first().innerText()).toContain('district tj-coast');
    expect(await district.innerText()).not.toContain(meters.port.id);

    // The shared alert (frequency), marked, read-only; Tianjin's active_power alert is not shared.
    const alertRows = alerts.locator('table.shared-alerts tbody tr');
    await alertRows.first().waitFor();
    expect(await alertRows.count()).toBe(1);
    expect(await alertRows.first().getAttribute('data-source-city')).toBe('tianjin');
    expect(await alertRows.first().innerText()).toContain('frequency 51');
    expect(await alerts.locator('button').count()).toBe(0);
    await screenshot(page, 'console-shared');

    // Revoked: the card says so within seconds (the API ends the share's stream on the revocation's event; no poll),
    // and its live table takes nothing more. 10 s: a loaded machine delays a message, not by a poll interval.
    expect((await cp.api('POST', `/shares/${rawShare}/revoke`, {}, tokens.tjAdmin)).status).toBe(200);
    await page
      .locator(`section.shared[data-share-id="${rawShare}"][data-ended="revoked"]`)
      .waitFor({ timeout: 10_000 });
    expect(await raw.locator('.share-status').innerText()).toContain('revoked');
    expect(errors).toEqual([]);
    await context.close();
    // The sign-in and about ten page waits (cards, charts, live rows, alerts, the revocation).
    // = SIGN_IN_MS + 10 * PAGE_MS
  }, 360_000);
});
