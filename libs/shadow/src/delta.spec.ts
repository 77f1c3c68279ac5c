import { shadowDelta } from './delta.js';

describe('shadowDelta', () => {
  it('is empty when the device reports every desired value', () => {
    expect(
      shadowDelta(
        { reporting_interval_s: 30, mode: 'cool' },
        { reporting_interval_s: 30, mode: 'cool', setpoint_temp: 21 },
      ),
    ).toEqual({});
  });

  it('holds desired keys the device reports differently or not at all, with the desired value', () => {
    expect(
      shadowDelta(
        { reporting_interval_s: 30, mode: 'cool', display_enabled: false },
        { reporting_interval_s: 60, display_enabled: false },
      ),
    ).toEqual({
      reporting_interval_s: 30,
      mode: 'cool',
    });
  });

  it('tells false from a missing key and 0 from false', () => {
    expect(shadowDelta({ a: false, b: 0 }, { b: false })).toEqual({ a: false, b: 0 });
  });
});
