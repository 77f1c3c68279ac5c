import { usPerLine } from './influx-ceiling.js';

describe('usPerLine', () => {
  const trial = { linesPerSecond: 500_000, lines: 300_000, elapsedMs: 600, batches: 60 };

  it('divides the CPU spent over every trial by every line they wrote', () => {
    expect(usPerLine(2_400, [trial, trial])).toBeCloseTo(4, 10);
  });

  it('is undefined without InfluxDB’s CPU or without lines', () => {
    expect(usPerLine(undefined, [trial])).toBeUndefined();
    expect(usPerLine(100, [])).toBeUndefined();
  });
});
