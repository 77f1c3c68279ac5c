import { DEFAULT_MIX, parseMix } from '../plan/mix.js';
import { prepareRun, scheduledReadings, simulate, type SimOptions } from './simulation.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const base: SimOptions = {
  seed: 5,
  devices: 40,
  cities: ['beijing', 'tianjin'],
  mix: DEFAULT_MIX,
  prefix: 'sim',
  startMs: Date.UTC(2025, 3, 1),
  durationMs: HOUR,
  scenario: 'normal',
};

describe('simulate', () => {
  it('emits publishes in simulated-time order, each device on its own interval and phase, within the run', () => {
    const run = prepareRun(base);
    const publishes = [...simulate(run)];
    expect(publishes.length).toBe(scheduledReadings(run));
    for (let i = 1; i < publishes.length; i++) expect(publishes[i].t).toBeGreaterThanOrEqual(publishes[i - 1].t);
    const byDevice = new Map<string, number[]>();
    for (const p of publishes)
      byDevice
        .set(p.device.id, byDevice.get(p.device.id) ?? [])
        .get(p.device.id)!
        .push(p.t);
    for (const device of run.plan.devices) {
      const times = byDevice.get(device.id)!;
      expect(times[0]).toBe(base.startMs + device.phaseMs);
      expect(new Set(times.slice(1).map((t, i) => t - times[i]))).toEqual(
        new Set([device.type.reportingIntervalS * 1000]),
      );
      expect(times[times.length - 1]).toBeLessThan(base.startMs + base.durationMs);
    }
  });

  it('stamps each reading with its simulated time, unless the device clock is skewed', () => {
    for (const p of simulate(prepareRun(base))) expect(JSON.parse(p.payload).ts).toBe(p.t);
    const skewed = [...simulate(prepareRun({ ...base, scenario: 'clock-skew' }))].filter(
      (p) => JSON.parse(p.payload).ts !== p.t,
    );
    expect(new Set(skewed.map((p) => JSON.parse(p.payload).ts - p.t))).toEqual(
      new Set([86_400_000, -30 * 86_400_000, 90_000, -(20 * MINUTE + 7300)]),
    );
  });

  it('repeats a stuck sensor’s values while its clock moves on', () => {
    const run = prepareRun({ ...base, scenario: 'stuck-value' });
    const device = run.plan.devices.find(
      (d) => d.city === run.plan.focusCity && d.index === 0 && d.type.name === 'env-sensor',
    )!;
    const inWindow = [...simulate(run)].filter(
      (p) => p.device === device && p.t >= run.context.window.startMs && p.t < run.context.window.endMs,
    );
    expect(inWindow.length).toBeGreaterThan(10);
    expect(new Set(inWindow.map((p) => JSON.stringify(JSON.parse(p.payload).values))).size).toBe(1);
    expect(new Set(inWindow.map((p) => JSON.parse(p.payload).ts)).size).toBe(inWindow.length);
  });

  it('marks one reconnect per device and wave in a reconnect storm', () => {
    const run = prepareRun({ ...base, scenario: 'reconnect-storm' });
    const reconnects = [...simulate(run)].filter((p) => p.reconnect);
    expect(reconnects.length).toBe(3 * run.plan.devices.length);
  });

  it('refuses an unknown scenario or city, naming what exists', () => {
    expect(() => prepareRun({ ...base, scenario: 'meteor' })).toThrow(/unknown scenario "meteor".*heatwave/);
    expect(() => prepareRun({ ...base, cities: ['atlantis'] })).toThrow(/unknown city "atlantis"/);
  });
});

describe('fleet plan', () => {
  it('apportions types by the mix and cities by size, giving the largest city one of every type first', () => {
    const plan = prepareRun({ ...base, devices: 14, cities: ['tianjin', 'beijing'] }).plan;
    expect(plan.devices).toHaveLength(14);
    expect(plan.focusCity.name).toBe('beijing');
    const inBeijing = new Set(plan.devices.filter((d) => d.city.name === 'beijing').map((d) => d.type.name));
    expect(inBeijing).toEqual(new Set(Object.keys(DEFAULT_MIX)));
  });

  it('groups a city’s building devices into sites with the first HVAC unit, lift and room sensor together', () => {
    const plan = prepareRun({ ...base, devices: 60 }).plan;
    const site0 = plan.devices.filter(
      (d) => d.city.name === 'beijing' && d.site.family === 'building' && d.site.index === 0,
    );
    expect(site0.map((d) => d.type.name)).toEqual(expect.arrayContaining(['env-sensor', 'hvac-unit', 'lift']));
    expect(site0[0].site.name).toBe('beijing-tower-01');
  });

  it('names devices prefix-city-type-number, valid registry ids', () => {
    const ids = prepareRun({ ...base, cities: ['zhangjiakou'], prefix: 'load-test' }).plan.devices.map((d) => d.id);
    for (const id of ids) expect(id).toMatch(/^load-test-zhangjiakou-[a-z-]+-\d{3}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('parses a mix by type or by family, and refuses unknown names', () => {
    expect(parseMix('env-sensor=3,lift')).toEqual({ 'env-sensor': 3, lift: 1 });
    expect(parseMix('traffic=2')).toEqual({ 'traffic-detector': 1, 'signal-controller': 1 });
    expect(() => parseMix('toaster=1')).toThrow(/toaster/);
    expect(() => parseMix('lift=-1')).toThrow(/non-negative/);
  });
});
