import { soakVerdict } from './soak-report.js';
import type { SoakSample } from './soak-sampler.js';

/** A sample a minute; the broker's RSS as given, everything else level. */
function samples(brokerRss: number[]): SoakSample[] {
  return brokerRss.map((rssMb, i) => ({
    atS: i * 60,
    readingsAcked: i * 60 * 19_000,
    readingsPerSecond: 19_000,
    stored: i * 60 * 19_000,
    processes: {
      'broker+api': { rssMb, heapUsedMb: 120, lagP99Ms: 20, lagMaxMs: 40 },
      'ingest+alerts': { rssMb: 340, heapUsedMb: 100, lagP99Ms: 60, lagMaxMs: 90 },
    },
    handoff: { streamEntries: 200, pendingEntries: 200, backlogReadings: 2000 },
    queueDepths: { 'rule-evaluation': 1, 'alert-checks': 2 },
  }));
}

describe('soak verdict', () => {
  it('passes a run whose every series holds level and that lost nothing', () => {
    const verdict = soakVerdict(samples(Array.from({ length: 30 }, (_, i) => (i < 3 ? 300 + 30 * i : 390))), 0);
    expect(verdict.ok).toBe(true);
    expect(verdict.checks.map((c) => c.series)).toEqual(
      expect.arrayContaining([
        'broker+api RSS',
        'ingest+alerts event-loop lag p99',
        'hand-off stream entries',
        'queue rule-evaluation depth',
      ]),
    );
  });

  it('fails a run where the broker leaks 3 MiB a minute, naming that series', () => {
    const verdict = soakVerdict(samples(Array.from({ length: 30 }, (_, i) => 300 + 3 * i)), 0);
    expect(verdict.ok).toBe(false);
    expect(verdict.checks.filter((c) => !c.trend.flat).map((c) => c.series)).toEqual(['broker+api RSS']);
  });

  it('fails a flat run that lost acknowledged readings', () => {
    const verdict = soakVerdict(samples(Array.from({ length: 30 }, () => 390)), 5);
    expect(verdict.flat).toBe(true);
    expect(verdict.ok).toBe(false);
  });
});
