import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { Redis } from 'ioredis';
import { waitFor } from '@citypulse/testing';
import { ruleStateKey } from '@citypulse/alert-store';
import { TestCitypulse } from '../../apps/citypulse/test/harness.js';
import { readCaptureHeader, readCaptureLines } from '../src/capture/capture-reader.js';
import { CaptureWriter } from '../src/capture/capture-writer.js';
import { recordRun } from '../src/capture/record.js';
import { backtestCapture } from '../src/backtest/capture-source.js';
import { parseRuleSet } from '../src/backtest/rule-sets.js';
import { acceptedReadings } from '../src/backtest/backtest.js';
import { deviceTypes } from '@citypulse/devices';
import { parseMix } from '../src/plan/mix.js';
import { prepareRun } from '../src/simulation/simulation.js';
import { cleanupCommand, cleanupDevices } from '../src/cli/cleanup-command.js';
import { CredentialStore } from '../src/send/credential-store.js';
import { alertsOf, recentStart, replayInto, scratchDir } from './sim-test-kit.js';

const SECOND = 1000;

/**
 * A capture replayed at 10× with its timestamps moved to the present: every reading is up to
 * 54 s "old" on the wall clock when it arrives, much longer than the 4 s no-data window, so a
 * deadman judged on the wall clock would alert for every device. Judged on the replay session's
 * clock, only the capture's own silences raise — the dropouts scenario's outage, dropped readings,
 * and one device that stops 12 s before the end — exactly as the backtest predicts, together
 * with a threshold and a rate rule.
 */
describe('honest replays', () => {
  let cp: TestCitypulse;
  let dir: Awaited<ReturnType<typeof scratchDir>>;
  let credentials: string;
  const prefix = 'hr';
  let fleet: string[] = [];

  beforeAll(async () => {
    // Deadman checks every 0.5 s; an ended session's tail is judged 2 s after its end (the allowed lateness).
    cp = await TestCitypulse.start({ CP_ALERT_DEADMAN_INTERVAL_MS: '500', CP_ALERT_ALLOWED_LATENESS_MS: '2000' });
    dir = await scratchDir();
    credentials = join(dir.path, 'credentials.json');
  });
  afterAll(async () => {
    await cp?.stop();
    await dir?.remove();
  });

  it('a 10× replay raises no deadman alert for a publishing device, and the alerts of every rule kind the backtest predicts', async () => {
    const durationMs = 60 * SECOND;
    const run = prepareRun({
      seed: 51,
      devices: 12,
      cities: ['beijing', 'tianjin'],
      mix: parseMix('building=1'),
      intervalS: 1,
      prefix,
      startMs: recentStart(durationMs),
      durationMs,
      scenario: 'dropouts',
    });
    const recorded = join(dir.path, 'recorded.ndjson.gz');
    await recordRun(run, recorded);
    fleet = run.plan.devices.map((d) => d.id);
    const quitter = run.plan.devices.find((d) => d.city.name === 'tianjin' && d.type.name === 'env-sensor')!.id;
    const path = join(dir.path, 'replay.ndjson.gz');
    await stopEarly(recorded, path, quitter, run.options.startMs + durationMs - 12 * SECOND);

    // Short no-data windows, a threshold at the capture's median temperature and a rate rule on CO₂
    // rising faster than most of the capture does: every kind raises and resolves here.
    const temperatures = (await fieldValues(path, 'env-sensor', 'temperature')).sort((a, b) => a - b);
    const median = temperatures[Math.floor(temperatures.length / 2)];
    const rules: Record<string, unknown> = {
      'env-sensor.warm': {
        deviceType: 'env-sensor',
        field: 'temperature',
        condition: { kind: 'above', threshold: median, clearBelow: median - 0.2 },
        forSeconds: 3,
        severity: 'info',
        enabled: true,
      },
      'env-sensor.co2-rising': {
        deviceType: 'env-sensor',
        field: 'co2',
        condition: { kind: 'rate', max: 0.5, clearMargin: 0.2 },
        forSeconds: 0,
        severity: 'info',
        enabled: true,
      },
    };
    for (const type of ['env-sensor', 'hvac-unit', 'lift'])
      rules[`${type}.no-data`] = {
        deviceType: type,
        field: '',
        condition: { kind: 'deadman', afterSeconds: 4, when: 'no-data' },
        forSeconds: 0,
        severity: 'warning',
        enabled: true,
      };
    for (const [id, rule] of Object.entries(rules))
      expect((await cp.api('PUT', `/rules/${id}`, rule)).status).toBe(200);
    const inForce = parseRuleSet(JSON.stringify((await cp.api('GET', '/rules?limit=1000')).body));

    const { result } = await backtestCapture(path, { rules: inForce, allowedLatenessMs: 2000 });
    const predictedKinds = new Set(result.alerts.map((a) => a.ruleKind));
    expect([...predictedKinds].sort()).toEqual(['above', 'deadman', 'rate']);
    const deadmanDevices = new Set(result.alerts.filter((a) => a.ruleKind === 'deadman').map((a) => a.deviceId));
    expect(deadmanDevices.has(quitter)).toBe(true);
    // Most devices publish throughout: a wall-clock deadman would have raised for them too.
    expect(deadmanDevices.size).toBeLessThan(run.plan.devices.length / 2);
    expect(
      result.alerts.find((a) => a.deviceId === quitter && a.ruleKind === 'deadman' && a.state === 'open'),
    ).toBeDefined();

    const startedAt = Date.now();
    const replay = await replayInto(cp, path, dir.path, { speed: 10, timestamps: 'now' });
    expect(replay.stats.failed).toBe(0);
    expect(replay.session?.prefix).toBe(prefix);
    const shift = replay.shiftMs;
    // The readings really are old on the wall clock: the first arrived 54 s after its timestamp.
    expect(startedAt - (run.options.startMs + shift)).toBeGreaterThan(50 * SECOND);

    const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms + shift).toISOString());
    const want = result.alerts
      .map((a) => ({
        ruleId: a.ruleId,
        deviceId: a.deviceId,
        state: a.state,
        openedAt: iso(a.openedAtMs),
        resolvedAt: iso(a.resolvedAtMs),
        peakValue: a.peakValue,
        lastValue: a.lastValue,
      }))
      .sort(byKey);
    const live = async () =>
      (await alertsOf(cp, prefix))
        .map((a) => ({
          ruleId: a.ruleId,
          deviceId: a.deviceId,
          state: a.state,
          openedAt: a.openedAt,
          resolvedAt: a.resolvedAt,
          peakValue: a.peakValue,
          lastValue: a.lastValue,
        }))
        .sort(byKey);
    // The quitter's alert is raised by the check once the session has ended and settled: the last to come.
    await waitFor(live, (got) => JSON.stringify(got) === JSON.stringify(want), {
      timeoutMs: 20_000,
      what: 'the live alerts to match the backtest',
    }).catch(() => undefined);
    expect(await live()).toEqual(want);
  });

  it('cleanup removes the devices with their state, resolves their open alerts, within the token’s cities, audited', async () => {
    const ids = (await alertsOf(cp, prefix)).map((a) => a.deviceId);
    const open = (await alertsOf(cp, prefix)).filter((a) => a.state !== 'resolved');
    expect(open.length).toBeGreaterThan(0);
    const beijing = (
      await cp.api('POST', '/tokens', { name: `hr-bj-${Date.now()}`, role: 'admin', cities: ['beijing'] })
    ).body.token as string;
    const api = `http://127.0.0.1:${cp.running.httpPort}`;

    // Bad input names the field; a session this token did not open in its cities does not exist for it.
    const bad = await cp.api('POST', '/simulation/cleanup', { prefix: 'no spaces', cities: ['Beijing'] });
    expect(bad.status).toBe(400);
    expect(bad.body.fields.map((f: { field: string }) => f.field).sort()).toEqual(['cities', 'prefix']);
    expect(
      (await cp.api('POST', `/simulation/replay-sessions/${prefix}/end`, { endMs: Date.now() }, beijing)).status,
    ).toBe(404);
    expect(
      (await cp.api('POST', '/simulation/replay-sessions', { prefix: 'x', cities: ['tianjin'] }, beijing)).status,
    ).toBe(403);
    expect((await cp.api('GET', '/simulation/replay-sessions', undefined, beijing)).body.items).toEqual([]);

    // A Beijing admin may not name Tianjin (403 naming the field), and removes only Beijing's devices.
    await expect(cleanupDevices(api, beijing, prefix, ['tianjin'])).rejects.toThrow(/403.*cities/);
    const bj = await cleanupDevices(api, beijing, prefix);
    expect(bj).toMatchObject({ prefix, cities: ['beijing'], replaySessions: 0 });
    expect(bj.devices).toBeGreaterThan(0);
    const devices = async (city: string) =>
      (await cp.api('GET', `/devices?city=${city}&limit=100`)).body.items.filter((d: { id: string }) =>
        d.id.startsWith(`${prefix}-`),
      );
    expect(await devices('beijing')).toEqual([]);
    expect((await devices('tianjin')).length).toBeGreaterThan(0);
    expect((await cp.api('GET', '/simulation/replay-sessions')).body.items).toEqual([
      expect.objectContaining({ prefix, city: null }),
    ]);

    // The rest through the command, as `npm run sim -- cleanup --prefix hr` does: it also forgets the local secrets.
    const tokenFile = join(dir.path, 'token');
    await writeFile(tokenFile, cp.config.http.adminToken);
    const before = await CredentialStore.open(credentials);
    expect(fleet.every((id) => before.get(api, id))).toBe(true);
    const printed = await printedBy(() =>
      cleanupCommand(['--prefix', prefix, '--api', api, '--token-file', tokenFile, '--credentials', credentials]),
    );
    expect(printed).toMatch(
      new RegExp(`removed +${fleet.length - bj.devices} devices .*, ${fleet.length} local secrets`),
    );
    expect(printed).toMatch(/sessions +1 replay sessions removed/);
    const afterStore = await CredentialStore.open(credentials);
    expect(fleet.filter((id) => afterStore.get(api, id))).toEqual([]);
    expect(await devices('tianjin')).toEqual([]);
    expect((await cp.api('GET', '/simulation/replay-sessions')).body.items).toEqual([]);
    const after = await alertsOf(cp, prefix);
    expect(after.filter((a) => a.state !== 'resolved')).toEqual([]);
    for (const alert of open)
      expect(after.find((a) => a.id === alert.id)).toMatchObject({
        state: 'resolved',
        resolvedBy: expect.stringMatching(/^hr-bj-|^admin$/),
      });

    const redis = new Redis(cp.config.redis.url);
    try {
      const prefixKey = cp.config.redis.prefix;
      const unique = [...new Set(ids)];
      // Readings taken before the cleanup may still be in the rule queue: the alerts processes drop
      // them and delete what an evaluation in flight wrote, within moments of the registry's event.
      await waitFor(
        () => redis.exists(...unique.map((id) => ruleStateKey(prefixKey, id))),
        (n) => n === 0,
        { what: 'no rule state left of the removed devices', timeoutMs: 10_000 },
      );
      expect(await redis.zmscore(`${prefixKey}:devices:last-seen`, ...unique)).toEqual(unique.map(() => null));
    } finally {
      redis.disconnect();
    }
    const audit = (await cp.api('GET', `/audit?target=device:${prefix}-&limit=500`)).body.items.filter(
      (e: { action: string }) => e.action === 'simulation.cleanup',
    );
    expect(audit.map((e: { actor: string; detail: string }) => [e.actor, e.detail])).toEqual(
      expect.arrayContaining([
        [expect.stringMatching(/^hr-bj-/), expect.stringMatching(/devices removed.*cities beijing/)],
        ['admin', expect.stringMatching(/every city/)],
      ]),
    );
  });
});

/** What `command` prints on stdout. */
async function printedBy(command: () => Promise<void>): Promise<string> {
  const lines: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
  try {
    await command();
  } finally {
    log.mockRestore();
  }
  return lines.join('\n');
}

/** Copies a capture, leaving out `deviceId`'s publishes from `fromMs` on: a device that falls silent before the end. */
async function stopEarly(from: string, to: string, deviceId: string, fromMs: number): Promise<void> {
  const writer = await CaptureWriter.open(to, await readCaptureHeader(from));
  for await (const line of readCaptureLines(from))
    if (line.deviceId !== deviceId || line.t < fromMs) await writer.write(line);
  await writer.close();
}

async function fieldValues(path: string, type: string, field: string): Promise<number[]> {
  const values: number[] = [];
  for await (const line of readCaptureLines(path)) {
    if (line.type !== type) continue;
    for (const [, v] of acceptedReadings(deviceTypes[type], line.payload, line.t).accepted)
      if (typeof v[field] === 'number') values.push(v[field]);
  }
  return values;
}

const byKey = (
  a: { ruleId: string; deviceId: string; openedAt?: string },
  b: { ruleId: string; deviceId: string; openedAt?: string },
) => {
  const ka = `${a.deviceId} ${a.ruleId} ${a.openedAt}`;
  const kb = `${b.deviceId} ${b.ruleId} ${b.openedAt}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};
