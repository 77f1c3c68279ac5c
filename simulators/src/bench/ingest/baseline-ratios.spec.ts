import { baselineRatios, usPerReading } from './baseline-ratios.js';

describe('baselineRatios', () => {
  it("quotes our end-to-end rate against each baseline's own rate", () => {
    const baselines = {
      influxCeiling: { linesPerSecond: 200_000 },
      mosquitto: { readingsPerSecond: 100_000 },
      plainBridge: { endToEndReadingsPerSecond: 25_000 },
    };
    expect(baselineRatios(37_500, baselines)).toEqual({
      ratioToInfluxCeiling: 0.1875,
      ratioToMosquitto: 0.375,
      ratioToPlainBridge: 1.5,
    });
  });

  it('gives no ratio for a baseline that did not run or measured nothing', () => {
    const baselines = { plainBridge: { endToEndReadingsPerSecond: 0 } };
    expect(baselineRatios(30_000, baselines)).toEqual({
      ratioToInfluxCeiling: undefined,
      ratioToMosquitto: undefined,
      ratioToPlainBridge: undefined,
    });
  });
});

describe('usPerReading', () => {
  it('turns CPU ms per process into µs per reading, to 0.01 µs', () => {
    expect(usPerReading({ broker: 27_000, redis: 3_333 }, 1_000_000)).toEqual({ broker: 27, redis: 3.33 });
  });

  it('has nothing to say when nothing was stored', () => {
    expect(usPerReading({ broker: 10 }, 0)).toEqual({});
  });
});
