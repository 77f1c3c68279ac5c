import type { MqttClient } from 'mqtt';
import { deviceTopic } from '@citypulse/contracts';
import { deviceTypes } from '@citypulse/devices';
import { uniqueName, waitFor } from '@citypulse/testing';
import { createPointWriter, type Series } from '@citypulse/storage';
import { indicatorLine } from '@citypulse/indicators';
import { TestCitypulse } from '../harness.js';
import { createRule, waitForAlerts } from '../alerts/alert-helpers.js';
import { ReadingGenerator } from '../../../../simulators/src/reading-generator.js';
import {
  INFLUX_UID,
  METRICS_UID,
  dashboardQueries,
  interpolate,
  loadDashboard,
  type DashboardQuery,
  type Substitutions,
} from './dashboard-queries.js';

const VICTORIA_METRICS = process.env.CP_TEST_VM_URL ?? `http://127.0.0.1:${process.env.CP_STACK_VM_PORT ?? 18428}`;
const CITIES = ['beijing', 'tianjin'];
const READINGS_PER_DEVICE = 3;
const INTERVAL_MS = 60_000;
const TYPES = Object.values(deviceTypes);
const numericFields = (type: (typeof TYPES)[number]) =>
  Object.entries(type.fields)
    .filter(([, f]) => f.kind !== 'boolean' && f.kind !== 'enum')
    .map(([name]) => name);

/**
 * The Grafana dashboard's queries, run as Grafana would send them, against InfluxDB 1.6.7 holding
 * what citypulse itself wrote (readings over MQTT from one device of every catalogue type in two
 * cities, and a raised alert), and its PromQL against VictoriaMetrics holding citypulse's own
 * /metrics. Grafana cannot run here; its queries can.
 */
describe('the city-cluster Grafana dashboard', () => {
  let cp: TestCitypulse;
  const clients: MqttClient[] = [];
  const dashboard = loadDashboard();
  const queries = dashboardQueries(dashboard);
  const substitutions: Substitutions = {
    timeFilter: 'time > now() - 1h',
    intervalMs: INTERVAL_MS,
    rateInterval: '2m',
    variables: { city: CITIES, device_type: TYPES.map((t) => t.name) },
  };
  const query = (where: string) => {
    const found = queries.find((q) => q.where.startsWith(where));
    if (!found) throw new Error(`no query at ${where}: ${queries.map((q) => q.where).join('; ')}`);
    return found;
  };
  const runInflux = (q: DashboardQuery, variables: Record<string, string[]> = {}): Promise<Series[]> =>
    cp.influx.series(
      interpolate(q.text, { ...substitutions, variables: { ...substitutions.variables, ...variables } }),
    );
  const alertDevice = { id: uniqueName('gf-co2-'), city: 'beijing' };

  beforeAll(async () => {
    cp = await TestCitypulse.start();
    const start = Date.now() - READINGS_PER_DEVICE * 1000;
    for (const city of CITIES) {
      for (const type of TYPES) {
        const id = city === alertDevice.city && type.name === 'env-sensor' ? alertDevice.id : uniqueName('gf-');
        const secret = await cp.provision({ id, type: type.name, city, site: `${city}-site-1` });
        const client = await cp.connectDevice(id, secret);
        clients.push(client);
        const generator = new ReadingGenerator(type, id);
        for (let i = 0; i < READINGS_PER_DEVICE; i++) {
          await client.publishAsync(
            deviceTopic(id, 'telemetry'),
            JSON.stringify({ ts: start + i * 1000, values: generator.next() }),
            { qos: 1 },
          );
        }
      }
    }
    await waitFor(
      () => storedReadings(),
      (n) => n === CITIES.length * TYPES.length * READINGS_PER_DEVICE,
      { what: 'every reading in InfluxDB' },
    );

    await createRule(cp, {
      id: `co2-${alertDevice.id}`,
      key: 'env-sensor.co2-high',
      deviceType: 'env-sensor',
      scope: { deviceId: alertDevice.id },
      field: 'co2',
      condition: { kind: 'above', threshold: 1000, clearBelow: 800 },
      severity: 'critical',
      description: 'dashboard test',
    });
    const sensor = clients[TYPES.findIndex((t) => t.name === 'env-sensor')];
    await sensor.publishAsync(
      deviceTopic(alertDevice.id, 'telemetry'),
      JSON.stringify({ ts: Date.now(), values: { co2: 1500 } }),
      { qos: 1 },
    );
    await waitForAlerts(cp, alertDevice.id, (items) => items.length === 1, 'the co2 alert');
    // Ingest hands readings to the rules while it writes them, so the alert can come first.
    await waitFor(
      () => storedReadings(),
      (n) => n === CITIES.length * TYPES.length * READINGS_PER_DEVICE + 1,
      { what: 'the alert’s reading in InfluxDB' },
    );
    await waitFor(
      () => cp.influx.countPoints('alerts'),
      (n) => n >= 1,
      { what: 'the raised event in the alerts measurement' },
    );
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync()));
    await cp?.stop();
  });

  /**
   * Readings in InfluxDB: one point per reading, counted per device type (types of one family carry different fields).
   */
  async function storedReadings(): Promise<number> {
    const counts = await Promise.all(TYPES.map((t) => cp.influx.countPoints(t.measurement, { device_type: t.name })));
    return counts.reduce((a, b) => a + b, 0);
  }

  it('has only queries it can run: every variable known, every data source provisioned', () => {
    expect(queries.length).toBeGreaterThanOrEqual(7);
    for (const q of queries) {
      expect({ where: q.where, datasource: [INFLUX_UID, METRICS_UID].includes(q.datasourceUid) }).toEqual({
        where: q.where,
        datasource: true,
      });
      expect(() => interpolate(q.text, substitutions)).not.toThrow();
    }
  });

  it('runs every InfluxQL query without an error', async () => {
    for (const q of queries.filter((q) => q.datasourceUid === INFLUX_UID)) {
      const runs = q.repeat ? substitutions.variables[q.repeat].map((v) => ({ [q.repeat!]: [v] })) : [{}];
      for (const variables of runs) await expect(runInflux(q, variables)).resolves.toEqual(expect.any(Array));
    }
  });

  it('lists the cities and the device types of the stored readings in its variables', async () => {
    // One series per measurement; Grafana offers each value once.
    const values = (series: Series[]) => [...new Set(series.flatMap((s) => (s.values ?? []).map((v) => v[1])))].sort();
    expect(values(await runInflux(query('variable city')))).toEqual(CITIES);
    expect(values(await runInflux(query('variable device_type')))).toEqual(TYPES.map((t) => t.name).sort());
    expect(values(await runInflux(query('variable device_type'), { city: ['tianjin'] }))).toEqual(
      TYPES.map((t) => t.name).sort(),
    );
  });

  it('counts every stored reading, per city, in readings/s', async () => {
    const series = await runInflux(query('panel 1 '));
    const perCity: Record<string, number> = {};
    for (const s of series) {
      const readings = (s.values ?? []).reduce((sum, v) => sum + (v[1] as number) * (INTERVAL_MS / 1000), 0);
      perCity[s.tags!.city] = (perCity[s.tags!.city] ?? 0) + readings;
    }
    // The alert's extra reading is in Beijing.
    const expected = { beijing: TYPES.length * READINGS_PER_DEVICE + 1, tianjin: TYPES.length * READINGS_PER_DEVICE };
    expect(Object.keys(perCity).sort()).toEqual(CITIES);
    for (const city of CITIES) expect(perCity[city]).toBeCloseTo(expected[city as keyof typeof expected], 6);

    const tianjinOnly = await runInflux(query('panel 1 '), { city: ['tianjin'] });
    expect(tianjinOnly.map((s) => s.tags!.city)).toEqual(expect.arrayContaining(['tianjin']));
    expect(tianjinOnly.every((s) => s.tags!.city === 'tianjin')).toBe(true);
  });

  it('charts the mean of every numeric field of each device type, per city', async () => {
    const fieldsPanel = queries.find((q) => q.repeat === 'device_type')!;
    for (const type of TYPES) {
      const series = await runInflux(fieldsPanel, { device_type: [type.name] });
      expect(series.map((s) => s.tags!.city).sort()).toEqual(CITIES);
      for (const s of series) {
        const reported = numericFields(type).filter((field) =>
          (s.values ?? []).some((v) => typeof v[s.columns.indexOf(`mean_${field}`)] === 'number'),
        );
        expect({ type: type.name, city: s.tags!.city, reported }).toEqual({
          type: type.name,
          city: s.tags!.city,
          reported: numericFields(type),
        });
      }
    }
  });

  it('shows the raised alert as open and raised, by severity', async () => {
    const open = await runInflux(query('panel 2 '));
    expect(open.map((s) => ({ severity: s.tags!.severity, count: s.values![0][1] }))).toEqual([
      { severity: 'critical', count: 1 },
    ]);
    const raised = await runInflux(query('panel 3 '));
    const total = (severity: string) =>
      raised
        .filter((s) => s.tags!.severity === severity)
        .flatMap((s) => s.values!.map((v) => v[1] as number))
        .reduce((a, b) => a + b, 0);
    expect(total('critical')).toBe(1);
    expect((await runInflux(query('panel 2 '), { city: ['tianjin'] })).length).toBe(0);

    const [alert] = await waitForAlerts(cp, alertDevice.id, (a) => a.length === 1, 'the alert');
    await cp.api('POST', `/alerts/${encodeURIComponent(alert.id)}/resolve`, { by: 'grafana-test' });
    await waitFor(
      () => runInflux(query('panel 2 ')),
      (s) => s.length === 0,
      { what: 'no open alert once it is resolved' },
    );
  });

  it('charts each cluster indicator and its coverage, as the alerts app writes them', async () => {
    const writer = createPointWriter(cp.config.influx);
    const provenance = {
      contributingCities: ['beijing'],
      shares: ['sh-000000000001'],
      devicesReporting: 3,
      devicesShared: 3,
      devicesInScope: 4,
      coverage: 0.75,
    };
    const at = (ago: number) => ({
      time: new Date(Date.now() - ago).toISOString(),
      windowFrom: new Date(Date.now() - ago - 60_000).toISOString(),
    });
    const lines = [
      indicatorLine({ indicator: 'regional-demand', value: 420.5, provenance, ...at(120_000) }),
      indicatorLine({ indicator: 'regional-co2', value: 610, provenance, ...at(60_000) }),
    ];
    await writer.write(lines.join('\n'), lines.length);
    await writer.close();
    const values = await runInflux(query('panel 8 '));
    const last = (s: Series) =>
      (s.values ?? [])
        .map((v) => v[1])
        .filter((v) => v !== null)
        .pop();
    expect(values.map((s) => [s.tags!.indicator, last(s)]).sort()).toEqual([
      ['regional-co2', 610],
      ['regional-demand', 420.5],
    ]);
    expect((await runInflux(query('panel 9 '))).map((s) => last(s))).toEqual([0.75, 0.75]);
  });

  it('charts rejected readings by reason from citypulse’s own metrics (PromQL on VictoriaMetrics)', async () => {
    const run = uniqueName('gf');
    const sensorId = alertDevice.id;
    const sensor = clients[TYPES.findIndex((t) => t.name === 'env-sensor')];
    // Two scrapes a minute apart, each after one more rejected reading (co2 outside its range).
    const now = Date.now();
    for (const at of [now - 150_000, now - 90_000]) {
      const before = await rejectedTotal();
      await sensor.publishAsync(
        deviceTopic(sensorId, 'telemetry'),
        JSON.stringify({ ts: Date.now(), values: { co2: -5 } }),
        { qos: 1 },
      );
      await waitFor(
        () => rejectedTotal(),
        (n) => n === before + 1,
        { what: 'the rejection counted' },
      );
      await importScrape(run, at);
    }
    const promql = query('panel 4 ');
    const params = new URLSearchParams({
      query: interpolate(promql.text, substitutions),
      time: String((now - 60_000) / 1000),
      extra_label: `cp_test_run=${run}`,
      nocache: '1',
    });
    const result = await waitFor(
      async () =>
        (await fetch(`${VICTORIA_METRICS}/api/v1/query?${params}`)).json() as Promise<{
          status: string;
          data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
        }>,
      (body) => body.status !== 'success' || body.data.result.length > 0,
      { what: 'the imported samples to be searchable', timeoutMs: 10_000 },
    );
    expect(result.status).toBe('success');
    expect(result.data.result).toEqual([
      { metric: { reason: expect.any(String) }, value: [expect.any(Number), expect.any(String)] },
    ]);
    expect(Number(result.data.result[0].value[1])).toBeGreaterThan(0);
  });

  /** The all-in-one process's /metrics, as VictoriaMetrics would scrape it. */
  async function scrape(): Promise<string> {
    return (
      await fetch(`http://127.0.0.1:${cp.running.httpPort}/metrics`, {
        headers: { authorization: `Bearer ${cp.config.http.adminToken}` },
      })
    ).text();
  }

  async function rejectedTotal(): Promise<number> {
    const lines = (await scrape()).split('\n').filter((l) => l.startsWith('citypulse_readings_rejected_total{'));
    return lines.reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
  }

  /** One scrape into VictoriaMetrics at a given time, labelled with this run so queries see only it. */
  async function importScrape(run: string, atMs: number): Promise<void> {
    const stamped = (await scrape())
      .split('\n')
      .filter((l) => l.startsWith('citypulse_readings_rejected_total'))
      .map((l) => `${l} ${atMs}`)
      .join('\n');
    const response = await fetch(`${VICTORIA_METRICS}/api/v1/import/prometheus?extra_label=cp_test_run=${run}`, {
      method: 'POST',
      body: `${stamped}\n`,
    });
    expect(response.status).toBe(204);
    // Imported rows wait in VictoriaMetrics' in-memory buffers until a periodic flush, which a
    // loaded CI machine delayed past 10 s once; force_flush makes them searchable now.
    await fetch(`${VICTORIA_METRICS}/internal/force_flush`).then((r) => r.arrayBuffer());
  }
});
