import { cpuCost, cpuMsByRole } from './cpu-cost.js';

describe('scale bench CPU cost', () => {
  it('sums processes per role, leaves the load generator out, and totals the reading path without InfluxDB', () => {
    const byRole = cpuMsByRole({
      'broker-1': 100,
      'broker-2': 50,
      'ingest-1': 40,
      api: 5,
      'redis:16379': 30,
      'redis:17001': 10,
      influxd: 70,
      generator: 900,
    });
    expect(byRole).toEqual({ broker: 150, ingest: 40, alerts: 0, api: 5, redis: 40, influxd: 70, total: 235 });
  });

  it('takes the at-rest rate over the loaded window off the gross cost for the net one', () => {
    // 10 s loaded, 10,000 readings; at rest the brokers used 20 ms/s (400 ms over 20 s would be time, not readings).
    const loaded = cpuMsByRole({ 'broker-1': 600, 'ingest-1': 300 });
    const idle = cpuMsByRole({ 'broker-1': 80, 'ingest-1': 0 });
    const cost = cpuCost({ cpuMs: loaded, windowS: 10, readings: 10_000 }, { cpuMs: idle, windowS: 4 });
    expect(cost.gross).toMatchObject({ broker: 60, ingest: 30, total: 90 });
    expect(cost.idleUsPerS).toMatchObject({ broker: 20_000, ingest: 0, total: 20_000 });
    expect(cost.net).toMatchObject({ broker: 40, ingest: 30, total: 70 });
  });

  it('reports net = gross when nothing was measured at rest', () => {
    const loaded = cpuMsByRole({ 'alerts-1': 123 });
    const cost = cpuCost({ cpuMs: loaded, windowS: 5, readings: 1000 }, { cpuMs: cpuMsByRole({}), windowS: 0 });
    expect(cost.net).toEqual(cost.gross);
  });
});
