import { CLEAR, THRESHOLD, crossingOffsetsMs, flapReadings, flapSpanMs } from './alert-scenario.js';

describe('the alerts bench scenario', () => {
  it('spreads crossings evenly inside the load', () => {
    expect(crossingOffsetsMs(3, 40_000)).toEqual([10_000, 20_000, 30_000]);
    expect(crossingOffsetsMs(3, 45_000, 5000)).toEqual([15_000, 25_000, 35_000]);
  });

  it('flaps around the threshold once a second, then clears below the clear level, per episode', () => {
    const readings = flapReadings(0, 1, 2);
    expect(readings).toHaveLength(140);
    expect(readings.slice(0, 4).map((r) => r.voltage)).toEqual([
      THRESHOLD + 1,
      THRESHOLD - 1,
      THRESHOLD + 1,
      THRESHOLD - 1,
    ]);
    expect(readings[60].voltage).toBeLessThan(CLEAR);
    expect(readings[70].voltage).toBe(THRESHOLD + 1);
    expect(readings[139].ts - readings[0].ts).toBe(flapSpanMs(1, 2) - 1000);
  });
});
