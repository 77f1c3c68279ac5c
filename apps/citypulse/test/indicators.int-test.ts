import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import type { Browser } from 'playwright-core';
import { deviceTopic } from '@citypulse/contracts';
import { uniqueName, waitFor } from '@citypulse/testing';
import { TestCitypulse } from './harness.js';
import { SseClient } from './alerts/sse-client.js';
import { DESKTOP, launchChromium, openContext, pageErrors, signIn } from './console/console-browser.js';

/**
 * Cluster indicators over real traffic: meters of three cities publish over MQTT through the real
 * broker, ingest and InfluxDB; Tianjin and Beijing share their meters' active_power with the whole
 * cluster, Hebei shares nothing. The regional demand (sum over 2 s windows, computed every 500 ms)
 * equals the same sum computed here from the readings published; Hebei contributes nothing and the
 * coverage says so; revoking Beijing's share removes Beijing from the next values; the rule on the
 * indicator raises one alert in each contributing city, seen by its operators and no one else's.
 */
describe('cluster indicators', () => {
  let cp: TestCitypulse;
  let dir: string;
  const indicator = 'regional-demand';
  const ruleId = `${indicator}.demand-high`;
  const tokens: Record<
    'tjAdmin' | 'bjAdmin' | 'hbAdmin' | 'tjOperator' | 'bjOperator' | 'hbOperator' | 'shOperator',
    string
  > = {} as never;
  const meters = [
    { id: uniqueName('tj-m-'), city: 'tianjin', site: 'tj-port', base: 100 },
    { id: uniqueName('tj-m-'), city: 'tianjin', site: 'tj-port', base: 60 },
    { id: uniqueName('bj-m-'), city: 'beijing', site: 'bj-tower', base: 200 },
    { id: uniqueName('hb-m-'), city: 'hebei', site: 'hb-steel', base: 500 },
  ];
  const clients: MqttClient[] = [];
  const published: Array<{ deviceId: string; tsMs: number; value: number }> = [];
  let publishing: NodeJS.Timeout | undefined;
  const shares: Record<'tianjin' | 'beijing', string> = {} as never;
  let bjStream: SseClient;
  let hbStream: SseClient;
  let browser: Browser;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cp-indicators-'));
    const file = join(dir, 'indicators.json');
    writeFileSync(
      file,
      JSON.stringify({
        indicators: [
          {
            id: indicator,
            title: 'Regional electricity demand',
            unit: 'kW',
            deviceType: 'electricity-meter',
            field: 'active_power',
            aggregate: 'sum',
            windowSeconds: 2,
            rules: [
              { id: 'demand-high', condition: { kind: 'above', threshold: 330 }, forSeconds: 1, severity: 'warning' },
            ],
          },
        ],
      }),
    );
    [cp, browser] = await Promise.all([
      TestCitypulse.start({
        CP_INDICATORS_FILE: file,
        CP_INDICATOR_INTERVAL_MS: '500',
        CP_INDICATOR_SETTLE_MS: '2000',
      }),
      launchChromium(),
    ]);
    tokens.tjAdmin = await cp.issueToken(uniqueName('tj-admin-'), 'admin', ['tianjin']);
    tokens.bjAdmin = await cp.issueToken(uniqueName('bj-admin-'), 'admin', ['beijing']);
    tokens.hbAdmin = await cp.issueToken(uniqueName('hb-admin-'), 'admin', ['hebei']);
    tokens.tjOperator = await cp.issueToken(uniqueName('tj-op-'), 'operator', ['tianjin']);
    tokens.bjOperator = await cp.issueToken(uniqueName('bj-op-'), 'operator', ['beijing']);
    tokens.hbOperator = await cp.issueToken(uniqueName('hb-op-'), 'operator', ['hebei']);
    tokens.shOperator = await cp.issueToken(uniqueName('sh-op-'), 'operator', ['shanghai']);
    const streamUrl = `http://127.0.0.1:${cp.running.httpPort}/alerts/stream`;
    [bjStream, hbStream] = await Promise.all([
      SseClient.open(streamUrl, tokens.bjOperator),
      SseClient.open(streamUrl, tokens.hbOperator),
    ]);

    for (const meter of meters)
      clients.push(
        await cp.connectDevice(
          meter.id,
          await cp.provision({ id: meter.id, type: 'electricity-meter', city: meter.city, site: meter.site }),
        ),
      );
    let tick = 0;
    publishing = setInterval(() => {
      tick++;
      meters.forEach((meter, i) => {
        const reading = { deviceId: meter.id, tsMs: Date.now(), value: meter.base + ((tick + i) % 7) };
        published.push(reading);
        void clients[i]
          .publishAsync(
            deviceTopic(meter.id, 'telemetry'),
            JSON.stringify({ ts: reading.tsMs, values: { active_power: reading.value } }),
            { qos: 1 },
          )
          .catch(() => undefined);
      });
    }, 150);

    // Tianjin and Beijing share with the whole cluster (each accepted by another city); Hebei does not share.
    const offer = {
      toCity: '*',
      deviceTypes: ['electricity-meter'],
      fields: ['active_power'],
      granularity: { kind: 'raw' },
      from: iso(Date.now() - 3_600_000),
      to: iso(Date.now() + 3_600_000),
      expiresAt: iso(Date.now() + 3_600_000),
    };
    for (const [city, admin, acceptor] of [
      ['tianjin', tokens.tjAdmin, tokens.hbAdmin],
      ['beijing', tokens.bjAdmin, tokens.tjAdmin],
    ] as const) {
      const { status, body } = await cp.api('POST', '/shares', { ...offer, fromCity: city }, admin);
      if (status !== 201) throw new Error(`offering ${city}'s share: ${status} ${JSON.stringify(body)}`);
      shares[city] = body.id;
      expect((await cp.api('POST', `/shares/${body.id}/accept`, {}, acceptor)).status).toBe(200);
    }
  });
  afterAll(async () => {
    clearInterval(publishing);
    await browser?.close();
    bjStream?.close();
    hbStream?.close();
    await Promise.all(clients.map((c) => c.endAsync()));
    await cp?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const iso = (ms: number) => new Date(ms).toISOString();
  const values = async (fromMs: number) =>
    (await cp.api('GET', `/indicators/${indicator}/values?from=${iso(fromMs)}`, undefined, tokens.hbOperator)).body
      .values as any[];

  /** The indicator as computed here from the readings published: each device's mean over the window, summed. */
  function expectedSum(value: any, cities: string[]): number {
    const [fromMs, toMs] = [Date.parse(value.windowFrom), Date.parse(value.time)];
    let sum = 0;
    for (const meter of meters.filter((m) => cities.includes(m.city))) {
      const inWindow = published
        .filter((r) => r.deviceId === meter.id && r.tsMs >= fromMs && r.tsMs < toMs)
        .map((r) => r.value);
      if (inWindow.length > 0) sum += inWindow.reduce((a, b) => a + b, 0) / inWindow.length;
    }
    return sum;
  }

  it('computes the regional sum from the shared cities only, equal to the sum of the published readings, with its provenance', async () => {
    const startedMs = Date.now();
    const full = await waitFor(
      async () => (await values(startedMs - 60_000)).filter((v) => v.provenance.devicesReporting === 3),
      (list) => list.length >= 2,
      { what: 'two values with the three shared meters reporting', timeoutMs: 15_000 },
    );
    for (const value of full) {
      expect(value.value).toBeCloseTo(expectedSum(value, ['tianjin', 'beijing']), 6);
      expect(value.provenance).toEqual({
        contributingCities: ['beijing', 'tianjin'],
        shares: [shares.beijing, shares.tianjin].sort(),
        devicesReporting: 3,
        devicesShared: 3,
        // Hebei's meter is in the cluster but not shared: coverage 3 of 4.
        devicesInScope: 4,
        coverage: 0.75,
      });
      expect(Date.parse(value.time) - Date.parse(value.windowFrom)).toBe(2000);
    }
    // Every city reads the regional figure, whatever its token's cities.
    for (const token of [tokens.shOperator, tokens.hbOperator]) {
      const { status, body } = await cp.api('GET', `/indicators/${indicator}`, undefined, token);
      expect(status).toBe(200);
      expect(body).toMatchObject({
        id: indicator,
        aggregate: 'sum',
        deviceType: 'electricity-meter',
        field: 'active_power',
      });
      expect(body.latest.provenance.contributingCities).not.toContain('hebei');
    }
    const list = await cp.api('GET', '/indicators', undefined, tokens.shOperator);
    expect(list.body.items.map((i: any) => [i.id, i.latest !== null])).toEqual([[indicator, true]]);
  });

  it('shows the indicators on the console’s Cluster page to any city’s operator: value, coverage, contributing cities, a chart', async () => {
    const context = await openContext(browser, DESKTOP);
    const page = await context.newPage();
    const errors = pageErrors(page);
    await signIn(page, cp, { token: tokens.hbOperator, hash: '#/cluster' });
    const row = page.locator(`tr[data-indicator="${indicator}"]`);
    await row.locator('td[data-cities="beijing,tianjin"]').waitFor();
    expect(await row.locator('td[data-coverage]').textContent()).toMatch(/^75 % \(3 of 4 devices; 3 shared\)$/);
    expect(Number(await row.locator('td[data-value]').getAttribute('data-value'))).toBeGreaterThan(0);
    await page.locator(`.charts[data-indicator="${indicator}"] figure.chart:not(.empty)`).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('answers an unknown indicator with 404 and a bad range with a 400 naming the field', async () => {
    expect((await cp.api('GET', '/indicators/no-such-thing', undefined, tokens.bjOperator)).status).toBe(404);
    for (const [query, field] of [
      ['from=yesterday', 'from'],
      [`from=${iso(Date.now())}&to=${iso(Date.now() - 1000)}`, 'from'],
      ['to=x', 'to'],
    ]) {
      const { status, body } = await cp.api(
        'GET',
        `/indicators/${indicator}/values?${query}`,
        undefined,
        tokens.bjOperator,
      );
      expect({ query, status, fields: body.fields?.map((f: any) => f.field) }).toEqual({
        query,
        status: 400,
        fields: [field],
      });
    }
  });

  it('raises one alert in each contributing city, seen by its operators and by no other city', async () => {
    const alertsFor = async (token: string) =>
      (await cp.api('GET', `/alerts?ruleId=${ruleId}`, undefined, token)).body.items as any[];
    const [tianjin] = await waitFor(
      () => alertsFor(tokens.tjOperator),
      (a) => a.length === 1,
      { what: 'the alert in Tianjin' },
    );
    const [beijing] = await waitFor(
      () => alertsFor(tokens.bjOperator),
      (a) => a.length === 1,
      { what: 'the alert in Beijing' },
    );
    expect([tianjin.city, beijing.city, tianjin.deviceType, tianjin.site]).toEqual([
      'tianjin',
      'beijing',
      'cluster-indicator',
      'cluster',
    ]);
    expect(tianjin.lastValue).toBeGreaterThan(330);
    expect((await cp.api('GET', `/alerts?ruleId=${ruleId}`)).body.items.map((a: any) => a.city).sort()).toEqual([
      'beijing',
      'tianjin',
    ]);
    expect(await alertsFor(tokens.hbOperator)).toEqual([]);
    expect(await alertsFor(tokens.shOperator)).toEqual([]);
    expect(
      (await cp.api('GET', `/alerts/${encodeURIComponent(tianjin.id)}`, undefined, tokens.bjOperator)).status,
    ).toBe(404);
    await waitFor(
      () => bjStream.messages.filter((m) => m.data.alert.ruleId === ruleId).map((m) => m.event),
      (kinds) => kinds.includes('raised'),
      { what: "Beijing's live stream to carry the alert" },
    );
    expect(
      bjStream.messages.filter((m) => m.data.alert.ruleId === ruleId).every((m) => m.data.alert.city === 'beijing'),
    ).toBe(true);
    expect(hbStream.messages.filter((m) => m.data.alert.ruleId === ruleId)).toEqual([]);
  });

  it('leaves a city out of the next values once it revokes its share, and resolves the alert in every city it went to', async () => {
    const { status } = await cp.api('POST', `/shares/${shares.beijing}/revoke`, {}, tokens.bjAdmin);
    expect(status).toBe(200);
    const revokedMs = Date.now();
    // Values computed after the revocation: each window ends CP_INDICATOR_SETTLE_MS before its computation.
    const isAfter = (v: any) => Date.parse(v.time) >= revokedMs - 2000;
    const after = await waitFor(
      async () => (await values(revokedMs - 60_000)).filter(isAfter),
      (list) => list.length >= 2,
      { what: 'two values computed after the revocation' },
    );
    for (const value of after) {
      expect(value.provenance).toMatchObject({
        contributingCities: ['tianjin'],
        shares: [shares.tianjin],
        devicesReporting: 2,
        devicesShared: 2,
        devicesInScope: 4,
        coverage: 0.5,
      });
      expect(value.value).toBeCloseTo(expectedSum(value, ['tianjin']), 6);
    }
    for (const token of [tokens.tjOperator, tokens.bjOperator]) {
      await waitFor(
        async () => (await cp.api('GET', `/alerts?ruleId=${ruleId}`, undefined, token)).body.items as any[],
        (a) => a.length === 1 && a[0].state === 'resolved',
        { what: 'the alert resolved' },
      );
    }
    expect((await cp.api('GET', `/alerts?ruleId=${ruleId}`, undefined, tokens.hbOperator)).body.items).toEqual([]);
  });
});
