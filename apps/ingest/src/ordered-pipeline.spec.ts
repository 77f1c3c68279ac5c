import { OrderedPipeline } from './ordered-pipeline.js';

/** A promise settled from outside, to script which batch's write finishes first. */
function deferred() {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('OrderedPipeline', () => {
  it('hands ordered parts on in start order even when later writes finish first', async () => {
    const pipeline = new OrderedPipeline(3, (err) => {
      throw err;
    });
    const writes = [deferred(), deferred(), deferred()];
    const fed: number[] = [];
    const finished: number[] = [];
    const feeds = [deferred(), deferred(), deferred()];
    for (let i = 0; i < 3; i++) {
      pipeline.start({
        concurrent: () => writes[i].promise,
        inOrder: async () => {
          fed.push(i);
          await feeds[i].promise;
        },
        finish: async () => void finished.push(i),
      });
    }
    // The ordered part of batch 1 waits for batch 0's, however fast its own write was.
    await tick();
    expect(fed).toEqual([0]);
    feeds[2].resolve();
    feeds[1].resolve();
    await tick();
    expect(fed).toEqual([0]);
    feeds[0].resolve();
    await tick();
    expect(fed).toEqual([0, 1, 2]);
    // Acknowledging waits for the batch's own write.
    writes[2].resolve();
    await tick();
    expect(finished).toEqual([2]);
    writes[0].resolve();
    writes[1].resolve();
    await pipeline.drain();
    expect(finished.sort()).toEqual([0, 1, 2]);
  });

  it('lets at most maxInFlight batches run at once', async () => {
    const pipeline = new OrderedPipeline(2, () => undefined);
    const writes = [deferred(), deferred(), deferred()];
    const step = (i: number) => ({
      concurrent: () => writes[i].promise,
      inOrder: async () => undefined,
      finish: async () => undefined,
    });
    await pipeline.room();
    pipeline.start(step(0));
    await pipeline.room();
    pipeline.start(step(1));
    let third = false;
    const roomForThird = pipeline.room().then(() => (third = true));
    await tick();
    expect(third).toBe(false);
    writes[1].resolve();
    await roomForThird;
    expect(pipeline.size).toBe(1);
    writes[0].resolve();
    await pipeline.drain();
  });

  it('does not finish a batch whose write failed, reports the error, and keeps feeding later batches', async () => {
    const errors: unknown[] = [];
    const pipeline = new OrderedPipeline(2, (err) => errors.push(err));
    const finished: number[] = [];
    const fed: number[] = [];
    pipeline.start({
      concurrent: () => Promise.reject(new Error('influx down')),
      inOrder: async () => void fed.push(0),
      finish: async () => void finished.push(0),
    });
    pipeline.start({
      concurrent: async () => undefined,
      inOrder: async () => void fed.push(1),
      finish: async () => void finished.push(1),
    });
    await pipeline.drain();
    expect(errors.map((e) => (e as Error).message)).toEqual(['influx down']);
    expect(fed).toEqual([0, 1]);
    expect(finished).toEqual([1]);
  });

  it('keeps feeding after an ordered part failed, and leaves that batch unfinished', async () => {
    const errors: unknown[] = [];
    const pipeline = new OrderedPipeline(2, (err) => errors.push(err));
    const finished: number[] = [];
    const fed: number[] = [];
    pipeline.start({
      concurrent: async () => undefined,
      inOrder: () => Promise.reject(new Error('queue down')),
      finish: async () => void finished.push(0),
    });
    pipeline.start({
      concurrent: async () => undefined,
      inOrder: async () => void fed.push(1),
      finish: async () => void finished.push(1),
    });
    await pipeline.drain();
    expect(errors).toHaveLength(1);
    expect(fed).toEqual([1]);
    expect(finished).toEqual([1]);
  });
});
