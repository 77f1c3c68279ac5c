import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MIX } from '../plan/mix.js';
import { prepareRun, simulate, type SimOptions } from '../simulation/simulation.js';
import { captureLine } from './capture-format.js';
import { captureSha256, readCaptureHeader, readCaptureLines } from './capture-reader.js';
import { recordRun } from './record.js';

const HOUR = 3_600_000;
const options: SimOptions = {
  seed: 7,
  devices: 50,
  cities: ['beijing', 'tianjin', 'shijiazhuang'],
  mix: DEFAULT_MIX,
  prefix: 'cap',
  startMs: Date.UTC(2025, 6, 1, 2),
  durationMs: 2 * HOUR,
  scenario: 'heatwave',
};

describe('captures', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cp-capture-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('are byte-identical for the same seed and options, and differ for another seed', async () => {
    const a = await recordRun(prepareRun(options), join(dir, 'a.ndjson.gz'));
    const b = await recordRun(prepareRun(options), join(dir, 'b.ndjson.gz'));
    const c = await recordRun(prepareRun({ ...options, seed: 8 }), join(dir, 'c.ndjson.gz'));
    expect(a.lines).toBeGreaterThan(5000);
    expect(b.sha256).toBe(a.sha256);
    expect(c.sha256).not.toBe(a.sha256);
    expect(await captureSha256(join(dir, 'b.ndjson.gz'))).toBe(a.sha256);
  });

  it('differ when any option differs: scenario, duration, mix, interval', async () => {
    const base = (await recordRun(prepareRun(options), join(dir, 'base.ndjson.gz'))).sha256;
    const variants: Array<Partial<SimOptions>> = [
      { scenario: 'normal' },
      { durationMs: HOUR },
      { mix: { 'env-sensor': 1 } },
      { intervalS: 30 },
    ];
    for (const [i, change] of variants.entries()) {
      expect((await recordRun(prepareRun({ ...options, ...change }), join(dir, `v${i}.ndjson.gz`))).sha256).not.toBe(
        base,
      );
    }
  });

  it('read back exactly what the simulation produced, after a header that names the options and devices but no secret', async () => {
    const run = prepareRun({ ...options, devices: 12, durationMs: HOUR / 2 });
    const path = join(dir, 'round-trip.ndjson.gz');
    await recordRun(run, path);
    const header = await readCaptureHeader(path);
    expect(header).toMatchObject({
      format: 'citypulse-capture',
      version: 1,
      source: 'simulator',
      seed: 7,
      scenario: 'heatwave',
      startMs: options.startMs,
      endMs: options.startMs + HOUR / 2,
    });
    expect(header.devices.map((d) => d.id)).toEqual(run.plan.devices.map((d) => d.id));
    expect(JSON.stringify(header)).not.toMatch(/secret|password|token/i);
    const lines = [];
    for await (const line of readCaptureLines(path)) lines.push(line);
    expect(lines).toEqual([...simulate(run)].map(captureLine));
  });
});
