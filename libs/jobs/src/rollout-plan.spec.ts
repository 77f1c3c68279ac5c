import { emptyCounts, type JobCounts } from './job.js';
import { planRollout, type RolloutView } from './rollout-plan.js';

const NOW = 1_000_000;

function view(patch: Partial<Omit<RolloutView, 'counts'>> & { counts?: Partial<JobCounts> } = {}): RolloutView {
  const { counts, ...rest } = patch;
  return {
    state: 'running',
    total: 100,
    released: 0,
    initialCount: 10,
    ratePerMinute: 60,
    credit: 0,
    lastTickMs: NOW,
    rateStarted: false,
    abortFailurePercent: 10,
    successPercent: 90,
    deadlineMs: NOW + 60_000,
    ...rest,
    counts: { ...emptyCounts(), ...counts },
  };
}

describe('planRollout', () => {
  it('releases the whole first step at once, capped by the batch size', () => {
    expect(planRollout(view(), NOW, 500)).toEqual({ action: 'release', count: 10, credit: 0, rateStarted: false });
    expect(planRollout(view(), NOW, 4)).toMatchObject({ action: 'release', count: 4 });
  });

  it('holds the rate phase until every device of the first step that got the job has an outcome; offline ones do not hold it', () => {
    expect(planRollout(view({ released: 10, counts: { 'in-progress': 1, succeeded: 9 } }), NOW, 500)).toEqual({
      action: 'wait',
    });
    expect(planRollout(view({ released: 10, counts: { waiting: 2, succeeded: 8 } }), NOW, 500)).toEqual({
      action: 'release',
      count: 0,
      credit: 0,
      rateStarted: true,
    });
  });

  it('releases at the rate, carrying fractions over as credit', () => {
    const step = planRollout(
      view({ released: 10, rateStarted: true, credit: 0.5, lastTickMs: NOW - 1500, counts: { succeeded: 10 } }),
      NOW,
      500,
    );
    expect(step).toEqual({ action: 'release', count: 2, credit: 0, rateStarted: true });
    expect(
      planRollout(
        view({ released: 10, rateStarted: true, lastTickMs: NOW - 500, counts: { succeeded: 10 } }),
        NOW,
        500,
      ),
    ).toEqual({ action: 'release', count: 0, credit: 0.5, rateStarted: true });
  });

  it('aborts when more than the threshold of the devices reached failed or timed out, not at it', () => {
    expect(planRollout(view({ released: 10, counts: { failed: 1, succeeded: 9 } }), NOW, 500).action).toBe('release');
    expect(
      planRollout(view({ released: 10, counts: { failed: 1, 'timed-out': 1, succeeded: 8 } }), NOW, 500),
    ).toMatchObject({ action: 'abort', reason: expect.stringContaining('2 of 10') });
  });

  it('finishes once every device was reached and none is in flight: completed if the success criteria are met, else failed', () => {
    expect(
      planRollout(
        view({ released: 100, rateStarted: true, counts: { succeeded: 90, failed: 10 }, abortFailurePercent: 20 }),
        NOW,
        500,
      ),
    ).toMatchObject({ action: 'finish', state: 'completed' });
    expect(
      planRollout(
        view({ released: 100, rateStarted: true, counts: { succeeded: 89, failed: 11 }, abortFailurePercent: 20 }),
        NOW,
        500,
      ),
    ).toMatchObject({ action: 'finish', state: 'failed' });
    expect(
      planRollout(view({ released: 100, rateStarted: true, counts: { succeeded: 99, waiting: 1 } }), NOW, 500),
    ).toEqual({ action: 'wait' });
  });

  it('releases nothing while paused or after the deadline, and finishes after the deadline without aborting', () => {
    expect(
      planRollout(
        view({ state: 'paused', released: 10, rateStarted: true, lastTickMs: NOW - 60_000, counts: { succeeded: 10 } }),
        NOW,
        500,
      ),
    ).toEqual({ action: 'wait' });
    const late = view({ released: 10, deadlineMs: NOW, counts: { succeeded: 5, 'timed-out': 5 } });
    expect(planRollout(late, NOW, 500)).toMatchObject({
      action: 'finish',
      state: 'failed',
      reason: expect.stringContaining('90 were reached'),
    });
  });
});
