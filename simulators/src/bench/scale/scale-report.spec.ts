import { meterPublishers } from '../common/meter-load.js';
import { roleOf, scaleLayout } from './scale-layout.js';
import { parseScaleOptions } from './scale-options.js';
import { median } from '../common/median.js';
import { scaleVerdict, type ScaleResult } from './scale-report.js';

function result(
  k: number,
  cpu: Partial<ScaleResult['cpuUsPerReading']>,
  extra: Partial<ScaleResult> = {},
): ScaleResult {
  const cpuUsPerReading = { broker: 20, ingest: 15, alerts: 5, api: 0.2, redis: 8, influxd: 6, total: 48.2, ...cpu };
  return {
    k,
    round: 1,
    redisMode: 'single',
    cpuUsPerReading,
    netCpuUsPerReading: cpuUsPerReading,
    redisCommands: { total: 0, perReading: 1.5, byCommand: {} },
    pubsub: { messages: 0, perReading: 0 },
    lost: 0,
    drained: true,
    ...extra,
  } as ScaleResult;
}

describe('scale bench', () => {
  it('lays out K processes per scaled role, one app each, the api last', () => {
    expect(scaleLayout(2)).toEqual([
      { name: 'broker-1', apps: 'broker', wave: 0 },
      { name: 'broker-2', apps: 'broker', wave: 0 },
      { name: 'ingest-1', apps: 'ingest', wave: 0 },
      { name: 'ingest-2', apps: 'ingest', wave: 0 },
      { name: 'alerts-1', apps: 'alerts', wave: 0 },
      { name: 'alerts-2', apps: 'alerts', wave: 0 },
      { name: 'api', apps: 'api', wave: 1 },
    ]);
    expect(roleOf('ingest-2')).toBe('ingest');
    expect(roleOf('api')).toBe('api');
  });

  it('deals devices out over the brokers in turn', () => {
    const devices = [1, 2, 3].map((i) => ({ id: `d${i}`, secret: 's', city: 'beijing' }));
    expect(meterPublishers(devices, [1883, 1884]).map((p) => p.port)).toEqual([1883, 1884, 1883]);
    expect(meterPublishers(devices).every((p) => p.port === undefined)).toBe(true);
  });

  it('calls costs flat that grow by at most the tolerance, fall, or move within their noise floor', () => {
    const verdict = scaleVerdict(
      [
        result(1, {}),
        result(2, { broker: 22.9, ingest: 12, alerts: 5.4 }, { pubsub: { messages: 10, perReading: 0.01 } }),
      ],
      15,
    );
    expect(verdict.checks.map((c) => [c.cost, c.ok])).toEqual([
      ['cpu broker', true],
      ['cpu ingest', true],
      ['cpu alerts', true],
      ['cpu redis', true],
      ['cpu total', true],
      ['redis commands', true],
      ['pub/sub messages', true],
      ['net cpu broker', true],
      ['net cpu ingest', true],
      ['net cpu alerts', true],
      ['net cpu redis', true],
      ['net cpu total', true],
    ]);
    expect(verdict.ok).toBe(true);
  });

  it('fails a cost that grew beyond the tolerance, a reading lost, and a run that did not drain', () => {
    const dearer = scaleVerdict(
      [result(1, {}), result(2, { broker: 23.5 }, { pubsub: { messages: 9000, perReading: 1 } })],
      15,
    );
    expect(
      dearer.checks.filter((c) => !c.ok && !c.informative).map((c) => [c.cost, Math.round(c.changePercent ?? -1)]),
    ).toEqual([
      ['cpu broker', 18],
      ['pub/sub messages', -1],
    ]);
    expect(dearer.ok).toBe(false);
    // The whole path (total 48.2 in both) stayed flat although one role did not.
    expect(dearer.wholePathOk).toBe(true);
    expect(scaleVerdict([result(1, {}), result(2, {}, { lost: 3 })], 15)).toMatchObject({
      lost: 3,
      ok: false,
      wholePathOk: false,
    });
    expect(scaleVerdict([result(1, {}), result(2, {}, { drained: false })], 15)).toMatchObject({
      ok: false,
      wholePathOk: false,
    });
  });

  it('fails the whole path when its total cost per reading grew beyond the tolerance', () => {
    const verdict = scaleVerdict([result(1, {}), result(2, { broker: 28, total: 56.2 })], 15);
    expect(verdict.checks.find((c) => c.cost === 'cpu total')).toMatchObject({ base: 48.2, value: 56.2, ok: false });
    expect(verdict.wholePathOk).toBe(false);
  });

  it('judges the gross costs: a net cost over the tolerance is shown but does not fail the run', () => {
    const netDearer = scaleVerdict(
      [result(1, {}), result(2, {}, { netCpuUsPerReading: { ...result(1, {}).cpuUsPerReading, ingest: 30 } })],
      15,
    );
    expect(netDearer.checks.filter((c) => !c.ok).map((c) => [c.cost, c.informative])).toEqual([
      ['net cpu ingest', true],
    ]);
    expect(netDearer.ok).toBe(true);
  });

  it('compares within one Redis mode only', () => {
    const cluster = (k: number, broker: number) => result(k, { broker }, { redisMode: 'cluster' });
    const verdict = scaleVerdict([result(1, {}), result(2, {}), cluster(1, 40), cluster(2, 41)], 15);
    expect(verdict.checks.filter((c) => c.cost === 'cpu broker').map((c) => [c.redisMode, c.base, c.value])).toEqual([
      ['single', 20, 20],
      ['cluster', 40, 41],
    ]);
  });

  it('judges the medians of repeated rounds, so one noisy round neither fails nor passes a cost alone', () => {
    const at = (k: number, round: number, broker: number) => result(k, { broker }, { round });
    const verdict = scaleVerdict(
      [at(1, 1, 20), at(2, 1, 29), at(1, 2, 21), at(2, 2, 22), at(1, 3, 19), at(2, 3, 23)],
      15,
    );
    const broker = verdict.checks.find((c) => c.cost === 'cpu broker')!;
    // Medians 20 → 23 (+15 %): flat, although round 1 alone was +45 %.
    expect([broker.base, broker.value, broker.ok]).toEqual([20, 23, true]);
    expect(broker.rounds).toEqual({ base: [20, 21, 19], value: [29, 22, 23] });
    const dearer = scaleVerdict(
      [at(1, 1, 20), at(2, 1, 24), at(1, 2, 30), at(2, 2, 25), at(1, 3, 20), at(2, 3, 24)],
      15,
    );
    // One cheap K=2 round against one dear K=1 round does not hide a +20 % median.
    expect(dearer.checks.find((c) => c.cost === 'cpu broker')).toMatchObject({ base: 20, value: 24, ok: false });
    expect(median([3, 1, 2, 10])).toBe(2.5);
  });

  it('defaults to K = 1, 2 on both Redis modes for 20 s each, and names every bad option', () => {
    expect(parseScaleOptions([])).toMatchObject({
      ks: [1, 2],
      modes: ['single', 'cluster'],
      durationS: 20,
      tolerancePercent: 15,
    });
    expect(() => parseScaleOptions(['--ks', '0,x', '--modes', 'sentinel', '--duration', '0'])).toThrow(
      /--ks[\s\S]*--modes[\s\S]*--duration/,
    );
  });
});
