import { envSensor, hvacUnit } from '../catalogue/building.js';
import { checkConfigPatch } from './check-config.js';

describe('checkConfigPatch', () => {
  it('accepts the common and the type’s own config keys with values inside their specs', () => {
    expect(
      checkConfigPatch(envSensor, { reporting_interval_s: 30, co2_alarm_ppm: 1200, display_enabled: false }),
    ).toEqual({
      values: { reporting_interval_s: 30, co2_alarm_ppm: 1200, display_enabled: false },
      problems: [],
    });
  });

  it('takes null as "remove this key"', () => {
    expect(checkConfigPatch(envSensor, { co2_alarm_ppm: null }).values).toEqual({ co2_alarm_ppm: null });
  });

  it('names a key another type has but this one does not, and lists the keys it does have', () => {
    const { problems } = checkConfigPatch(envSensor, { setpoint_temp: 21 });
    expect(problems).toEqual([
      {
        key: 'setpoint_temp',
        reason: 'unknown_field',
        detail: expect.stringContaining('reporting_interval_s, co2_alarm_ppm, display_enabled'),
      },
    ]);
  });

  it.each([
    [{ reporting_interval_s: 0 }, 'out_of_range'],
    [{ reporting_interval_s: 1.5 }, 'wrong_type'],
    [{ reporting_interval_s: '60' }, 'wrong_type'],
    [{ mode: 'turbo' }, 'wrong_type'],
    [{ setpoint_temp: 50 }, 'out_of_range'],
  ])('refuses %j with %s', (patch, reason) => {
    const { values, problems } = checkConfigPatch(hvacUnit, patch);
    expect(values).toEqual({});
    expect(problems).toEqual([expect.objectContaining({ key: Object.keys(patch)[0], reason })]);
  });

  it('keeps the good keys apart from the bad ones so a caller can name each', () => {
    const { values, problems } = checkConfigPatch(hvacUnit, { mode: 'cool', setpoint_temp: 99 });
    expect(values).toEqual({ mode: 'cool' });
    expect(problems.map((p) => p.key)).toEqual(['setpoint_temp']);
  });

  it.each([null, [], 'x', 3])('refuses %j as a whole: not an object', (patch) => {
    expect(checkConfigPatch(envSensor, patch).problems).toEqual([expect.objectContaining({ reason: 'invalid_shape' })]);
  });
});
