import { join } from 'node:path';
import { Redis } from 'ioredis';
import { handoffKeys } from '@citypulse/handoff';
import { waitFor } from '@citypulse/testing';
import { TestCitypulse } from '../../apps/citypulse/test/harness.js';
import { startCitypulse, type Citypulse } from '../../apps/citypulse/src/run-apps.js';
import { captureSha256 } from '../src/capture/capture-reader.js';
import { recordRun } from '../src/capture/record.js';
import { backtestCapture } from '../src/backtest/capture-source.js';
import { backtestInflux } from '../src/backtest/influx-source.js';
import { catalogueRuleSet } from '../src/backtest/rule-sets.js';
import { DEFAULT_MIX } from '../src/plan/mix.js';
import { prepareRun } from '../src/simulation/simulation.js';
import { alertsOf, expectedPoints, recentStart, replayInto, scratchDir, storedPoints } from './sim-test-kit.js';

const HOUR = 3_600_000;

describe('record → replay → InfluxDB, and backtest against live alerts', () => {
  let cp: TestCitypulse;
  let secondIngest: Citypulse | undefined;
  let dir: Awaited<ReturnType<typeof scratchDir>>;

  beforeAll(async () => {
    // Two ingest processes with the default settings (several batches in flight each), sharing
    // the hand-off's partitions, yet a device's readings reach rule evaluation in order — a late
    // reading never resolves an open alert, so any reordering would show here as live alerts
    // resolving later than the backtest says.
    cp = await TestCitypulse.start();
    secondIngest = await startCitypulse({ ...cp.config, instanceId: `${cp.config.instanceId}-ingest-2` }, ['ingest']);
    const redis = new Redis(cp.config.redis.url);
    try {
      await waitFor(
        () => leaseHolders(redis, cp.config.redis.prefix, cp.config.handoff.partitions),
        (holders) => holders.size === 2,
        { what: 'both ingest processes holding hand-off partitions' },
      );
    } finally {
      redis.disconnect();
    }
    dir = await scratchDir();
  });
  afterAll(async () => {
    await secondIngest?.close();
    await cp?.stop();
    await dir?.remove();
  });

  it('stores every accepted reading of a replayed capture exactly once, with the captured values, and none of the garbage', async () => {
    const prefix = 'rr1';
    const run = prepareRun({
      seed: 21,
      devices: 24,
      cities: ['beijing', 'tianjin'],
      mix: DEFAULT_MIX,
      prefix,
      startMs: recentStart(HOUR),
      durationMs: HOUR,
      scenario: 'garbage',
    });
    const path = join(dir.path, 'garbage.ndjson.gz');
    const recorded = await recordRun(run, path);
    expect(await captureSha256(path)).toBe(recorded.sha256);

    const replay = await replayInto(cp, path, dir.path);
    expect(replay.stats).toMatchObject({ sent: recorded.lines, acked: recorded.lines, failed: 0 });
    expect(Object.keys(replay.stats.rejectedByReason).sort()).toEqual([...run.scenario.rejects].sort());

    const expected = await expectedPoints(path);
    expect(expected.size).toBeGreaterThan(recorded.lines * 0.9);
    const stored = await waitFor(
      () => storedPoints(cp, prefix),
      (s) => s.size >= expected.size,
      { timeoutMs: 30_000, what: `${expected.size} points in InfluxDB` },
    );
    expect(stored.size).toBe(expected.size);
    expect(Object.fromEntries(stored)).toEqual(Object.fromEntries(expected));
  });

  it('raises through the live pipeline exactly the alerts a backtest of the capture reports', async () => {
    const prefix = 'rr2';
    const run = prepareRun({
      seed: 22,
      devices: 30,
      cities: ['beijing', 'shijiazhuang'],
      mix: DEFAULT_MIX,
      prefix,
      startMs: recentStart(2 * HOUR),
      durationMs: 2 * HOUR,
      scenario: 'heatwave',
    });
    const path = join(dir.path, 'heatwave.ndjson.gz');
    await recordRun(run, path);

    const { result } = await backtestCapture(path, { rules: catalogueRuleSet() });
    // Every kind, deadman included: the replay is a replay session, judged on the capture's clock
    // (a backfill at full speed on the wall clock would raise no-data for every device).
    const predicted = result.alerts;
    expect(predicted.length).toBeGreaterThan(1);
    expect(predicted.some((a) => a.state === 'resolved')).toBe(true);

    await replayInto(cp, path, dir.path);
    const shape = (
      a: { id: string; ruleId: string; deviceId: string; state: string; peakValue: number; lastValue: number },
      openedAt: string,
      resolvedAt?: string,
    ) => ({
      id: a.id,
      ruleId: a.ruleId,
      deviceId: a.deviceId,
      state: a.state,
      openedAt,
      resolvedAt,
      peakValue: a.peakValue,
      lastValue: a.lastValue,
    });
    const want = predicted
      .map((a) =>
        shape(
          a,
          new Date(a.openedAtMs).toISOString(),
          a.resolvedAtMs === undefined ? undefined : new Date(a.resolvedAtMs).toISOString(),
        ),
      )
      .sort(byId);
    const liveAlerts = async () =>
      (await alertsOf(cp, prefix)).map((a) => shape(a, a.openedAt, a.resolvedAt)).sort(byId);
    // Wait for the pipeline to drain; on a timeout the comparison below shows the difference.
    await waitFor(liveAlerts, (got) => JSON.stringify(got) === JSON.stringify(want), {
      timeoutMs: 30_000,
      what: 'the live alerts to match the backtest',
    }).catch(() => undefined);
    expect(await liveAlerts()).toEqual(want);

    // The same range read back from InfluxDB gives the same answer as the capture.
    const fromInflux = await backtestInflux(
      cp.influx,
      {
        fromMs: run.options.startMs,
        toMs: run.options.startMs + run.options.durationMs,
        deviceIdPattern: `^${prefix}-`,
      },
      { rules: catalogueRuleSet() },
    );
    expect(fromInflux.alerts).toEqual(predicted);
  });
});

/** The ingest instances holding a lease on some hand-off partition (token: `${instanceId}#…`). */
async function leaseHolders(redis: Redis, prefix: string, partitions: number): Promise<Set<string>> {
  const holders = await Promise.all(
    Array.from({ length: partitions }, (_, p) => redis.get(handoffKeys(prefix, p).lease)),
  );
  return new Set(holders.filter((h): h is string => h !== null).map((h) => h.slice(0, h.lastIndexOf('#'))));
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
