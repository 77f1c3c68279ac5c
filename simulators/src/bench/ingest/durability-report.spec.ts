import {
  compareWithEverysec,
  formatDurabilityReport,
  type DurabilityPass,
  type DurabilityReport,
} from './durability-report.js';

const pass = (
  level: DurabilityPass['level'],
  perS: number,
  p99: number,
  extra: Partial<DurabilityPass> = {},
): DurabilityPass => ({
  level,
  redis: { 'master :7000': { port: 7000, appendfsync: level === 'always' ? 'always' : 'everysec' } },
  serviceEnv: { CP_HANDOFF_DURABILITY: level },
  readingsAckedPerS: perS,
  endToEndPerS: perS * 0.9,
  lost: 0,
  readingsPublished: perS * 10,
  readingsAcked: perS * 10,
  stored: perS * 10,
  drained: true,
  connectionsLost: 0,
  ackLatencyMs: { count: p99 > 0 ? 100 : 0, p50: p99 / 4, p99, max: p99 * 2 },
  replicaTimeouts: 0,
  waitCalls: 0,
  redisCommandsPerReading: 0.5,
  cpuPercentOfCore: { citypulse: 90 },
  machineBusyPercent: 60,
  ...extra,
});

describe('durability bench report', () => {
  it('sets every level beside the everysec pass of the same run', () => {
    const compared = compareWithEverysec([
      pass('everysec', 20_000, 10),
      pass('always', 5_000, 40),
      pass('replica', 15_000, 12),
    ]);
    expect(compared.map((p) => p.vsEverysec)).toEqual([
      { readingsAcked: 1, endToEnd: 1, ackP99: 1 },
      { readingsAcked: 0.25, endToEnd: 0.25, ackP99: 4 },
      { readingsAcked: 0.75, endToEnd: 0.75, ackP99: 1.2 },
    ]);
  });

  it('gives no ratio without an everysec pass that PUBACKed anything, and no latency ratio without latencies', () => {
    expect(compareWithEverysec([pass('always', 5_000, 40)])[0].vsEverysec).toBeUndefined();
    expect(compareWithEverysec([pass('everysec', 0, 0), pass('always', 5_000, 40)])[1].vsEverysec).toBeUndefined();
    const warmupOnly = compareWithEverysec([pass('everysec', 20_000, 0), pass('always', 5_000, 40)]);
    expect(warmupOnly[1].vsEverysec).toEqual({ readingsAcked: 0.25, endToEnd: 0.25, ackP99: null });
    const text = formatDurabilityReport({ passes: warmupOnly } as DurabilityReport);
    expect(text).toContain('none after the warm-up (make --duration longer than --warmup)');
    expect(text).toContain('÷ everysec: 0.25 PUBACKed, 0.25 end to end\n');
  });

  it('prints each level with its servers, ratios, losses and replica timeouts', () => {
    const passes = compareWithEverysec([
      pass('everysec', 20_000, 10),
      pass('replica', 15_000, 12, {
        lost: 3,
        drained: false,
        replicaTimeouts: 2,
        waitCalls: 1234,
        redis: {
          'master :7000': { port: 7000, appendfsync: 'everysec' },
          'replica :7001': { port: 7001, appendfsync: 'everysec', replicaOf: 7000 },
        },
      }),
    ]);
    const text = formatDurabilityReport({ passes } as DurabilityReport);
    expect(text).toContain('replica (master :7000 appendfsync everysec; replica :7001 appendfsync everysec of :7000)');
    expect(text).toContain(
      '15,000 PUBACKed, 13,500 end to end   ÷ everysec: 0.75 PUBACKed, 0.75 end to end, p99 ×1.20',
    );
    expect(text).toContain('3 lost (NOT DRAINED)');
    expect(text).toContain('1,234 WAIT, 2 replica timeouts (no PUBACK)');
    expect(text).not.toMatch(/everysec \(master[^\n]*\n[^\n]*÷ everysec/);
  });
});
