import { formatRoundsSummary, roundFigures, summariseRounds, type RoundFigures } from './ingest-rounds.js';
import type { IngestReport } from './report.js';

const round = (figures: Partial<RoundFigures>): RoundFigures => ({
  startedAt: '2026-12-04T03:00:00.000Z',
  report: '.bench/ingest-x.json',
  readingsPerSecond: 30_000,
  lost: 0,
  ackP99Ms: 100,
  serviceCpuUs: 30,
  ...figures,
});

describe('ingest bench --repeat: the rounds summary', () => {
  it("takes each figure's median over the rounds and the range of each per-round ratio", () => {
    const summary = summariseRounds([
      round({ readingsPerSecond: 30_463, ratioToPlainBridge: 0.88, ratioToInfluxCeiling: 0.31, ackP99Ms: 133 }),
      round({ readingsPerSecond: 31_480, ratioToPlainBridge: 0.97, ratioToInfluxCeiling: 0.23, ackP99Ms: 90 }),
      round({ readingsPerSecond: 37_496, ratioToPlainBridge: 1.1, ratioToInfluxCeiling: 0.22, ackP99Ms: 104 }),
    ]);
    expect(summary.median).toEqual({
      readingsPerSecond: 31_480,
      ackP99Ms: 104,
      serviceCpuUs: 30,
      ratioToPlainBridge: 0.97,
      ratioToInfluxCeiling: 0.23,
    });
    expect(summary.range).toEqual({ ratioToPlainBridge: [0.88, 1.1], ratioToInfluxCeiling: [0.22, 0.31] });
    expect(summary.lost).toBe(0);
  });

  it('has no ratio where no round measured its baseline (--no-baselines), and adds up what any round lost', () => {
    const summary = summariseRounds([round({ lost: 0 }), round({ lost: 3, readingsPerSecond: 20_000 })]);
    expect(summary.median.ratioToPlainBridge).toBeUndefined();
    expect(summary.range.ratioToInfluxCeiling).toBeUndefined();
    expect(summary.median.readingsPerSecond).toBe(25_000);
    expect(summary.lost).toBe(3);
    expect(formatRoundsSummary(summary)).toContain('lost over all rounds: 3');
  });

  it("counts the service's processes in its CPU per reading, not Redis, InfluxDB or the load generator", () => {
    const report = {
      startedAt: '2026-12-04T03:00:00.000Z',
      config: { processes: [{ name: 'broker+api' }, { name: 'ingest+alerts' }] },
      results: {
        endToEndReadingsPerSecond: 37_496,
        lost: 0,
        ackLatencyMs: { p99: 104 },
        cpuUsPerReading: { 'broker+api': 17.6, 'ingest+alerts': 10, generator: 7.52, redis: 5.18, influxd: 7.75 },
      },
      baselines: {
        plainBridge: { endToEndReadingsPerSecond: 33_959 },
        ratioToPlainBridge: 37_496 / 33_959,
        influxCeiling: { linesPerSecond: 250_000 },
        ratioToInfluxCeiling: 37_496 / 250_000,
        errors: [],
      },
    } as unknown as IngestReport;
    expect(roundFigures(report, 'r.json')).toMatchObject({
      serviceCpuUs: 27.6,
      redisCpuUs: 5.18,
      plainBridgePerSecond: 33_959,
      influxCeilingLinesPerSecond: 250_000,
    });
    expect(formatRoundsSummary(summariseRounds([roundFigures(report, 'r.json')]))).toMatch(
      /round 1 +37,496\/s +bridge 33,959\/s ×1\.10 +ceiling 250,000\/s ×0\.15 +service CPU 27\.60 µs +PUBACK p99 104 ms/,
    );
  });
});
