import { QUEUES } from '@citypulse/contracts';
import { flushPrefix, testConfig, waitFor } from '@citypulse/testing';
import { bullWorker } from './bull.js';
import { openQueue } from './queues.js';

describe('openQueue: finished rule-evaluation jobs kept', () => {
  // Redis rewrites every kept job into its append-only file again and again: only CP_RULE_JOBS_KEPT
  // stay once evaluated.
  const config = testConfig({ CP_RULE_JOBS_KEPT: '3' });
  afterAll(() => flushPrefix(config));

  it('keeps the newest CP_RULE_JOBS_KEPT of them once evaluated, whatever the queue ran', async () => {
    const queue = openQueue<{ n: number }>(config, QUEUES.ruleEvaluation);
    const ran: number[] = [];
    const worker = bullWorker<{ n: number }>(config, QUEUES.ruleEvaluation, async (job) => void ran.push(job.data.n), {
      concurrency: 1,
      onFailed: () => undefined,
    });
    try {
      await queue.addBulk(Array.from({ length: 8 }, (_, n) => ({ name: 'evaluate', data: { n } })));
      await waitFor(
        () => Promise.resolve(ran.length),
        (count) => count === 8,
        { what: 'all eight jobs run' },
      );
      const kept = await waitFor(
        () => queue.getJobs(['completed'], 0, -1),
        (jobs) => jobs.length <= 3,
        { what: 'the oldest finished jobs trimmed' },
      );
      expect(kept.map((job) => job.data.n).sort()).toEqual([5, 6, 7]);
    } finally {
      await worker.close();
      await queue.close();
    }
  });
});
