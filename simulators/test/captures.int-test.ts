import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from '@citypulse/testing';
import { TestCitypulse } from '../../apps/citypulse/test/harness.js';
import { backtestCapture } from '../src/backtest/capture-source.js';
import { catalogueRuleSet } from '../src/backtest/rule-sets.js';
import type { CaptureLine } from '../src/capture/capture-format.js';
import { readCaptureHeader, readCaptureLines } from '../src/capture/capture-reader.js';
import { captureFromInflux } from '../src/capture/from-influx.js';
import { recordRun } from '../src/capture/record.js';
import { tapLive } from '../src/capture/tap.js';
import { captureCommand } from '../src/cli/capture-command.js';
import { tapCommand } from '../src/cli/tap-command.js';
import { prepareRun } from '../src/simulation/simulation.js';
import { expectedPoints, recentStart, replayInto, scratchDir, storedPoints } from './sim-test-kit.js';

const MINUTE = 60_000;
const CLI = 'dist/simulators/src/cli.js';

/**
 * Captures from anywhere: a city's live traffic tapped through an operator's MQTT login, and its
 * stored history read back from InfluxDB, both replay into a fresh database point for point and
 * backtest alike.
 */
describe('sim tap and sim capture --from-influx', () => {
  let cp: TestCitypulse;
  let fresh: TestCitypulse | undefined;
  let dir: Awaited<ReturnType<typeof scratchDir>>;

  beforeAll(async () => {
    cp = await TestCitypulse.start();
    dir = await scratchDir();
  });
  afterAll(async () => {
    await fresh?.stop();
    await cp?.stop();
    await dir?.remove();
  });

  it('records a city’s live traffic that replays into a fresh database point for point, equals the city’s stored history, and backtests the same', async () => {
    // Known live traffic: a heatwave over Beijing and Tianjin devices, published through the broker.
    const run = prepareRun({
      seed: 41,
      devices: 9,
      cities: ['beijing', 'tianjin'],
      mix: { 'env-sensor': 1, 'hvac-unit': 1, 'electricity-meter': 1 },
      prefix: 'tap',
      startMs: recentStart(90 * MINUTE),
      durationMs: 90 * MINUTE,
      scenario: 'heatwave',
    });
    const simPath = join(dir.path, 'live.ndjson.gz');
    await recordRun(run, simPath);
    const published = await linesOf(simPath);
    const beijing = published.filter((l) => l.city === 'beijing');
    expect(beijing.length).toBeGreaterThan(100);
    expect(published.length).toBeGreaterThan(beijing.length);

    // The tap listens as a Beijing operator: it hears Beijing's devices only.
    const token = await cp.issueToken('tap-ops', 'operator', ['beijing']);
    const tapPath = join(dir.path, 'tap.ndjson.gz');
    const stop = new AbortController();
    let heard = 0;
    let listening!: () => void;
    const ready = new Promise<void>((resolve) => (listening = resolve));
    const tap = tapLive(tapPath, {
      mqttUrl: cp.mqttUrl,
      apiUrl: `http://127.0.0.1:${cp.running.httpPort}`,
      token,
      login: 'tap-ops',
      cities: ['beijing'],
      durationMs: 60_000,
      signal: stop.signal,
      onListening: listening,
      onLine: () => heard++,
    });
    await ready;
    await replayInto(cp, simPath, dir.path);
    await waitFor(
      () => heard,
      (n) => n >= beijing.length,
      { what: `${beijing.length} publishes tapped` },
    );
    stop.abort();
    const tapped = await tap;
    expect(tapped.capture.lines).toBe(beijing.length);

    // Each device's publishes, exactly as sent and in its order, with its type, city and site.
    const tapLines = await linesOf(tapPath);
    const header = await readCaptureHeader(tapPath);
    expect(header).toMatchObject({ source: 'tap', startMs: tapped.startedAtMs, endMs: tapped.endedAtMs });
    expect(header.devices).toEqual(
      run.plan.devices
        .filter((d) => d.city.name === 'beijing')
        .map((d) => ({ id: d.id, type: d.type.name, city: 'beijing', site: d.site.name })),
    );
    expect(perDevice(tapLines)).toEqual(perDevice(beijing));
    expect(tapLines.every((l) => l.t >= tapped.startedAtMs && l.t <= tapped.endedAtMs)).toBe(true);

    // What the first service stored for Beijing…
    const expected = await expectedPoints(tapPath);
    const original = await waitFor(
      () => storedPoints(cp, 'tap-beijing'),
      (s) => s.size >= expected.size,
      { what: `${expected.size} Beijing points stored` },
    );
    expect(Object.fromEntries(original)).toEqual(Object.fromEntries(expected));

    // …is what the tap replays into a fresh service's empty database, point for point.
    fresh = await TestCitypulse.start();
    const replay = await replayInto(fresh, tapPath, dir.path);
    expect(replay.stats).toMatchObject({
      sent: tapLines.length,
      acked: tapLines.length,
      failed: 0,
      rejectedByReason: {},
    });
    const replayed = await waitFor(
      () => storedPoints(fresh!, 'tap'),
      (s) => s.size >= original.size,
      { what: `${original.size} points replayed` },
    );
    expect(Object.fromEntries(replayed)).toEqual(Object.fromEntries(original));

    // The first service's history of Beijing, read back in pages, holds the same points.
    const influxPath = join(dir.path, 'history.ndjson.gz');
    const history = await captureFromInflux(
      cp.influx,
      {
        fromMs: run.options.startMs,
        toMs: Date.now() + MINUTE,
        cities: ['beijing'],
        chunkMs: 20 * MINUTE,
        pageSize: 25,
      },
      influxPath,
    );
    expect(history.lines).toBe(original.size);
    expect(Object.fromEntries(await expectedPoints(influxPath))).toEqual(Object.fromEntries(original));
    const historyLines = await linesOf(influxPath);
    expect(historyLines.map((l) => l.t)).toEqual(historyLines.map((l) => l.t).sort((a, b) => a - b));
    expect((await readCaptureHeader(influxPath)).devices).toEqual(header.devices);
    // It replays too: every reading accepted again (onto the same points).
    const again = await replayInto(fresh, influxPath, dir.path);
    expect(again.stats).toMatchObject({ acked: history.lines, failed: 0, rejectedByReason: {} });

    // Both backtest, with the same alerts (deadman ones depend on where each capture ends).
    const rules = catalogueRuleSet();
    const fromTap = (await backtestCapture(tapPath, { rules })).result.alerts.filter((a) => a.ruleKind !== 'deadman');
    const fromHistory = (await backtestCapture(influxPath, { rules })).result.alerts.filter(
      (a) => a.ruleKind !== 'deadman',
    );
    expect(fromTap.map((a) => a.ruleId)).toEqual(expect.arrayContaining(['env-sensor.temperature-high']));
    expect(fromHistory).toEqual(fromTap);
  });

  it('taps as `npm run sim -- tap` (from dist/), builds the same readings with `capture --from-influx`, and refuses bad arguments naming the option', async () => {
    const token = await cp.issueToken('cli-ops', 'operator', ['tangshan']);
    const tokenFile = join(dir.path, 'cli-ops.token');
    await writeFile(tokenFile, token);
    const device = { id: 'tangshan-cli-env-001', type: 'env-sensor', city: 'tangshan', site: 'steelworks' };
    const secret = await cp.provision(device);
    const env = { ...process.env, CP_API_TOKEN: '' };
    const api = ['--api', `http://127.0.0.1:${cp.running.httpPort}`, '--token-file', tokenFile];
    const influx = ['--influx-url', cp.config.influx.url, '--db', cp.config.influx.database];
    // In-process (each CLI process costs seconds to start): the same commands the CLI dispatches to.
    const refusal = (run: Promise<void>) =>
      run.then(
        () => 'accepted',
        (err: Error) => `${err.name}: ${err.message}`,
      );
    const tapPath = join(dir.path, 'cli-tap.ndjson.gz');
    const tap = spawn(
      'node',
      [CLI, 'tap', '--city', 'tangshan', '--duration', '3s', '--out', tapPath, '--mqtt', cp.mqttUrl, ...api],
      { env },
    );
    let stdout = '';
    tap.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    tap.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => tap.on('exit', resolve));
    await waitFor(
      () => stdout,
      (out) => out.includes('listening'),
      { what: 'the tap to listen', timeoutMs: 30_000 },
    );
    const client = await cp.connectDevice(device.id, secret);
    const now = Date.now();
    const readings = [
      { ts: now - 2000, values: { temperature: 21.5 } },
      { ts: now - 1000, values: { temperature: 22 } },
      { values: { temperature: 22.5 } },
    ];
    for (const r of readings)
      await client.publishAsync(`devices/${device.id}/telemetry`, JSON.stringify(r), { qos: 1 });
    await client.endAsync();
    // While the tap runs out its time.
    expect(await refusal(tapCommand(['--duration', '1m', '--out', 'x.ndjson.gz']))).toBe(
      'UsageError: --city: which city, e.g. --city beijing (several: --city beijing,tianjin)',
    );
    expect(
      await refusal(
        tapCommand(['--city', 'beijing', '--duration', '1m', '--out', 'x.ndjson.gz', '--mqtt', cp.mqttUrl, ...api]),
      ),
    ).toBe('UsageError: --city beijing: the token cli-ops sees only tangshan');
    expect(
      await refusal(
        captureCommand([
          '--from-influx',
          '--city',
          'tangshan',
          '--from',
          '2026-12-02T00:00:00Z',
          '--to',
          '2026-12-01T00:00:00Z',
          '--out',
          'x.ndjson.gz',
        ]),
      ),
    ).toBe('UsageError: --from 2026-12-02T00:00:00.000Z must be before --to 2026-12-01T00:00:00.000Z');
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/recorded {4}3 publishes of 1 devices \(3 heard\)/);
    const lines = await linesOf(tapPath);
    expect(lines.map((l) => JSON.parse(l.payload))).toEqual([
      readings[0],
      readings[1],
      { ...readings[2], ts: lines[2].t },
    ]);

    // What was stored reads back as the same three readings, the unstamped one at the broker's receive time.
    await waitFor(
      () => storedPoints(cp, 'tangshan-cli'),
      (p) => p.size === 3,
      { what: 'three readings stored' },
    );
    const historyPath = join(dir.path, 'cli-history.ndjson.gz');
    await captureCommand([
      '--from-influx',
      '--city',
      'tangshan',
      '--types',
      'env-sensor',
      '--last',
      '10m',
      '--out',
      historyPath,
      ...influx,
    ]);
    const stored = await linesOf(historyPath);
    expect(stored.slice(0, 2).map((l) => l.payload)).toEqual(lines.slice(0, 2).map((l) => l.payload));
    expect(Math.abs(JSON.parse(stored[2].payload).ts - lines[2].t)).toBeLessThan(1000);
  });

  it('ends a tap when its token is revoked, keeping what it heard', async () => {
    const token = await cp.issueToken('short-tap', 'operator', ['tangshan']);
    let listening!: () => void;
    const ready = new Promise<void>((resolve) => (listening = resolve));
    const tap = tapLive(join(dir.path, 'revoked.ndjson.gz'), {
      mqttUrl: cp.mqttUrl,
      apiUrl: `http://127.0.0.1:${cp.running.httpPort}`,
      token,
      login: 'short-tap',
      cities: ['tangshan'],
      durationMs: 60_000,
      onListening: listening,
    });
    await ready;
    expect((await cp.api('DELETE', '/tokens/short-tap')).status).toBe(204);
    const started = Date.now();
    const result = await tap;
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.capture.lines).toBe(0);
  });
});

async function linesOf(path: string): Promise<CaptureLine[]> {
  const lines: CaptureLine[] = [];
  for await (const line of readCaptureLines(path)) lines.push(line);
  return lines;
}

/** Each device's payloads in order, with its metadata: what a capture must keep, whatever the timing. */
function perDevice(lines: CaptureLine[]): Record<string, { meta: string; payloads: string[] }> {
  const byDevice: Record<string, { meta: string; payloads: string[] }> = {};
  for (const l of lines)
    (byDevice[l.deviceId] ??= { meta: `${l.type}/${l.city}/${l.site}`, payloads: [] }).payloads.push(l.payload);
  return byDevice;
}
