import { drainFigures, type BacklogSample } from './backlog-timeline.js';

const at = (atMs: number, readings: number | undefined): BacklogSample => ({ atMs, readings });

describe('drain figures of a fault', () => {
  it('measures from the restore to the first sample back at the normal level (twice the pre-fault maximum)', () => {
    const samples = [at(0, 100), at(100, 150), at(200, 5000), at(300, 9000), at(400, 4000), at(500, 290), at(600, 120)];
    expect(drainFigures(samples, 150, 300, 0)).toEqual({ peakReadings: 9000, drainMs: 200 });
  });

  it('ignores samples taken while Redis did not answer', () => {
    const samples = [at(0, 10), at(100, undefined), at(200, undefined), at(300, 800), at(400, 20)];
    expect(drainFigures(samples, 50, 200, 100)).toEqual({ peakReadings: 800, drainMs: 200 });
  });

  it('counts a backlog within the floor as drained (a busy instant is not a backlog)', () => {
    expect(drainFigures([at(0, 0), at(100, 400), at(200, 450)], 50, 100, 500)).toEqual({
      peakReadings: 450,
      drainMs: 0,
    });
  });

  it('reports no drain time when the backlog never came back down', () => {
    expect(drainFigures([at(0, 0), at(100, 4000), at(200, 5000)], 50, 100, 500).drainMs).toBeUndefined();
  });
});
