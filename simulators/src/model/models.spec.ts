import { decodeTelemetry, deviceTypes } from '@citypulse/devices';
import { normalBand } from '../reading-generator.js';
import { DEFAULT_MIX } from '../plan/mix.js';
import { prepareRun, simulate, type SimOptions } from '../simulation/simulation.js';
import { buildingClimate } from './building-climate.js';
import { CITIES, getCity, localTime } from './cities.js';
import { typesWithoutModel } from './models.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const limits = { maxPayloadBytes: 65536, maxBatchReadings: 1000, maxFutureSkewMs: 300_000, maxPastAgeMs: 400 * DAY };

type Reading = { t: number; id: string; type: string; site: string; values: Record<string, any> };

function readings(options: Partial<SimOptions> & Pick<SimOptions, 'startMs' | 'durationMs'>): Reading[] {
  const run = prepareRun({
    seed: 3,
    devices: 35,
    cities: ['beijing'],
    mix: DEFAULT_MIX,
    prefix: 'm',
    scenario: 'normal',
    ...options,
  });
  return [...simulate(run)].map((p) => ({
    t: p.t,
    id: p.device.id,
    type: p.device.type.name,
    site: p.device.site.name,
    values: JSON.parse(p.payload).values,
  }));
}

function pearson(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('device models', () => {
  it('cover every device type of the catalogue', () => {
    expect(typesWithoutModel()).toEqual([]);
  });

  it('stay valid and on the normal side of every default rule, in every city, all year round', () => {
    // Every 5 h 7 min for a year, in all seven cities: seasons, weekdays, nights and every local hour.
    const all = readings({
      cities: CITIES.map((c) => c.name),
      devices: 50,
      intervalS: 18_420,
      startMs: Date.UTC(2025, 0, 1),
      durationMs: 365 * DAY,
    });
    expect(new Set(all.map((r) => r.type))).toEqual(new Set(Object.keys(deviceTypes)));
    for (const r of all) {
      const type = deviceTypes[r.type];
      const decoded = decodeTelemetry(Buffer.from(JSON.stringify({ ts: r.t, values: r.values })), type, {
        ...limits,
        receivedAtMs: r.t,
      });
      if (decoded.rejected.length > 0)
        throw new Error(`${r.id} at ${new Date(r.t).toISOString()}: ${JSON.stringify(decoded.rejected)}`);
      for (const rule of type.defaultRules) {
        const value = r.values[rule.field];
        if (value === undefined) continue;
        const band = normalBand(type, rule.field);
        if (value < band.low || value > band.high)
          throw new Error(
            `${r.id}.${rule.field} = ${value} at ${new Date(r.t).toISOString()} is outside ${band.low} … ${band.high}`,
          );
      }
    }
  });

  describe('over a Thursday to a Sunday in Beijing at the catalogue intervals', () => {
    // From Thu 10 July 00:00 Beijing.
    const week = readings({ devices: 25, startMs: Date.UTC(2025, 6, 9, 16), durationMs: 4 * DAY });
    const of = (type: string) => week.filter((r) => r.type === type);
    const beijing = getCity('beijing')!;

    it('never let an energy register run backwards', () => {
      for (const type of ['electricity-meter', 'solar-inverter']) {
        const byDevice = new Map<string, number[]>();
        for (const r of of(type))
          byDevice
            .set(r.id, byDevice.get(r.id) ?? [])
            .get(r.id)!
            .push(r.values.energy);
        expect(byDevice.size).toBeGreaterThan(0);
        for (const series of byDevice.values()) {
          expect(series.filter((v, i) => i > 0 && v < series[i - 1])).toEqual([]);
          expect(series[series.length - 1]).toBeGreaterThan(series[0]);
        }
      }
    });

    it('raise CO₂ with the people in each room', () => {
      const byRoom = new Map<string, Reading[]>();
      for (const r of of('env-sensor'))
        byRoom
          .set(r.id, byRoom.get(r.id) ?? [])
          .get(r.id)!
          .push(r);
      expect(byRoom.size).toBeGreaterThan(3);
      for (const room of byRoom.values())
        expect(
          pearson(
            room.map((r) => r.values.occupancy),
            room.map((r) => r.values.co2),
          ),
        ).toBeGreaterThan(0.9);
    });

    it('fill offices on weekdays and empty them at night and at weekends', () => {
      const env = of('env-sensor');
      const at = (weekend: boolean, from: number, to: number) =>
        mean(
          env
            .filter((r) => {
              const l = localTime(r.t, beijing);
              return l.weekend === weekend && l.hour >= from && l.hour < to;
            })
            .map((r) => r.values.occupancy),
        );
      expect(at(false, 10, 16)).toBeGreaterThan(5 * at(false, 0, 5) + 1);
      expect(at(false, 10, 16)).toBeGreaterThan(at(true, 10, 16));
    });

    it('draw more HVAC power the further indoor is from outdoor', () => {
      const hvac = of('hvac-unit').filter((r) => r.values.mode === 'cool');
      const site = week.find((r) => r.type === 'hvac-unit')!.site;
      const run = prepareRun({
        seed: 3,
        devices: 35,
        cities: ['beijing'],
        mix: DEFAULT_MIX,
        prefix: 'm',
        scenario: 'normal',
        startMs: 0,
        durationMs: 1,
      });
      const siteOf = run.plan.sites.find((s) => s.name === site)!;
      const sameSite = hvac.filter((r) => r.site === site);
      const gap = sameSite.map((r) => {
        const c = buildingClimate(3, siteOf, r.t, {});
        return c.outdoorC - c.indoorC;
      });
      expect(
        pearson(
          gap,
          sameSite.map((r) => r.values.power),
        ),
      ).toBeGreaterThan(0.7);
    });

    it('make temperatures follow the day: warmer afternoons than nights indoors when the HVAC is off', () => {
      const env = of('env-sensor');
      const hour = (r: Reading) => localTime(r.t, beijing).hour;
      expect(mean(env.filter((r) => hour(r) >= 14 && hour(r) < 17).map((r) => r.values.temperature))).toBeGreaterThan(
        mean(env.filter((r) => hour(r) >= 3 && hour(r) < 6).map((r) => r.values.temperature)),
      );
    });

    it('peak meter load by day above night, and keep voltage and frequency in narrow bands', () => {
      const meters = of('electricity-meter');
      const hour = (r: Reading) => localTime(r.t, beijing).hour;
      const day = mean(meters.filter((r) => hour(r) >= 10 && hour(r) < 16).map((r) => r.values.active_power + 0));
      const night = mean(meters.filter((r) => hour(r) >= 2 && hour(r) < 5).map((r) => r.values.active_power));
      expect(day).toBeGreaterThan(night);
      const voltages = meters.map((r) => r.values.voltage as number);
      const frequencies = meters.map((r) => r.values.frequency as number);
      expect(Math.min(...voltages)).toBeGreaterThan(222);
      expect(Math.max(...voltages)).toBeLessThan(238);
      expect(Math.min(...frequencies)).toBeGreaterThan(49.9);
      expect(Math.max(...frequencies)).toBeLessThan(50.1);
    });

    it('show two weekday rush hours, and lower speeds at higher volumes', () => {
      const detectors = of('traffic-detector');
      const weekday = detectors.filter((r) => !localTime(r.t, beijing).weekend);
      const hourly = (from: number, to: number) =>
        mean(
          weekday
            .filter((r) => {
              const h = localTime(r.t, beijing).hour;
              return h >= from && h < to;
            })
            .map((r) => r.values.vehicle_count),
        );
      expect(hourly(7.5, 9)).toBeGreaterThan(1.3 * hourly(10.5, 15));
      expect(hourly(17.5, 19)).toBeGreaterThan(1.3 * hourly(10.5, 15));
      const withSpeed = detectors.filter((r) => r.values.mean_speed !== undefined);
      // Per approach: lanes and free-flow speed differ between detectors.
      const first = withSpeed.filter((r) => r.id === withSpeed[0].id);
      expect(
        pearson(
          first.map((r) => r.values.vehicle_count),
          first.map((r) => r.values.mean_speed),
        ),
      ).toBeLessThan(-0.6);
    });

    it('make PV inverters produce only by day', () => {
      const night = of('solar-inverter').filter((r) => {
        const h = localTime(r.t, beijing).hour;
        return h < 3 || h > 22;
      });
      expect(night.length).toBeGreaterThan(0);
      expect(night.filter((r) => r.values.ac_power !== 0)).toEqual([]);
      expect(Math.max(...of('solar-inverter').map((r) => r.values.ac_power))).toBeGreaterThan(20);
    });
  });

  it('keep local time per city: an Ürümqi office day starts two hours after Beijing’s, in UTC', () => {
    const t = Date.UTC(2025, 6, 7, 1); // Monday 09:00 Beijing, 07:00 Ürümqi
    expect(localTime(t, getCity('beijing')!).hour).toBe(9);
    expect(localTime(t, getCity('urumqi')!).hour).toBe(7);
  });
});
