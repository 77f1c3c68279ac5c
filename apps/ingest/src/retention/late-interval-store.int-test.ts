import { connectRedis } from '@citypulse/redis';
import { flushPrefix, testConfig, waitFor } from '@citypulse/testing';
import { LateIntervalStore } from './late-interval-store.js';

const MINUTE = 60_000;
const at = (minute: number, second = 0) => Date.UTC(2026, 11, 5, 2, minute, second);

/**
 * Late intervals kept in Redis, as two ingest processes sharing a prefix see them: noted by either,
 * taken by one at a time, kept when noted again while being recomputed, and taken over when the
 * process holding them died (its claim expired).
 */
describe('late intervals in Redis', () => {
  const config = testConfig();
  const key = `${config.redis.prefix}:rollups:late:1m`;
  const connections = ['a', 'b'].map((name) => connectRedis(config, `test-late-${name}`));
  const [a, b] = connections.map((redis) => new LateIntervalStore(redis, key, MINUTE, 60_000));

  afterAll(async () => {
    for (const redis of connections) redis.disconnect();
    await flushPrefix(config);
  });
  afterEach(async () => {
    await connections[0].del(key);
    const claims = await connections[0].keys(`${key}:claim:*`);
    if (claims.length > 0) await connections[0].del(...claims);
  });

  it('takes, in one process only, the intervals quiet since a time, as ranges', async () => {
    await a.note(
      [
        { measurement: 'building', ms: at(1, 5) },
        { measurement: 'building', ms: at(2, 50) },
      ],
      1000,
    );
    await b.note([{ measurement: 'building', ms: at(2, 10) }], 5000);
    await b.note([{ measurement: 'energy', ms: at(7) }], 2000);
    // A later note of 02:02 wins; an earlier one does not take it back.
    await a.note([{ measurement: 'building', ms: at(2, 1) }], 3000);

    const quiet = await a.takeQuiet(4000);
    expect(quiet.ranges).toEqual([
      { measurement: 'building', fromMs: at(1), toMs: at(2) },
      { measurement: 'energy', fromMs: at(7), toMs: at(8) },
    ]);
    // What a holds, b cannot take; what is not quiet yet, b can.
    expect((await b.takeQuiet()).ranges).toEqual([{ measurement: 'building', fromMs: at(2), toMs: at(3) }]);
    expect((await b.takeQuiet()).ranges).toEqual([]);

    await a.done(quiet.taken, quiet.ranges);
    expect(await connections[0].zrange(key, '0', '-1')).toEqual([JSON.stringify(['building', at(2)])]);
    expect((await b.takeQuiet()).ranges).toEqual([]);
  });

  it('keeps an interval noted again while it was being recomputed, and lets go of one not recomputed', async () => {
    await a.note(
      [
        { measurement: 'traffic', ms: at(3) },
        { measurement: 'traffic', ms: at(9) },
      ],
      1000,
    );
    const taken = await a.takeQuiet();
    expect(taken.ranges).toHaveLength(2);
    // A late reading of 02:03 stored meanwhile; 02:09's recompute failed.
    await b.note([{ measurement: 'traffic', ms: at(3, 30) }], 2000);
    const [minute3, minute9] = taken.ranges;
    await a.release(taken.taken, [minute9]);
    await a.done(taken.taken, [minute3]);

    const again = await b.takeQuiet();
    expect(again.ranges).toEqual([
      { measurement: 'traffic', fromMs: at(3), toMs: at(4) },
      { measurement: 'traffic', fromMs: at(9), toMs: at(10) },
    ]);
    await b.done(again.taken, again.ranges);
    expect(await connections[0].zcard(key)).toBe(0);
  });

  it('takes over an interval whose process died holding it, once the claim expires', async () => {
    const dying = new LateIntervalStore(connections[0], key, MINUTE, 500);
    await dying.note([{ measurement: 'building', ms: at(5) }], 1000);
    expect((await dying.takeQuiet()).ranges).toHaveLength(1);
    // …and never marks it done. b gets nothing until the claim runs out.
    expect((await b.takeQuiet()).ranges).toEqual([]);
    const taken = await waitFor(
      () => b.takeQuiet(),
      (t) => t.ranges.length === 1,
      { timeoutMs: 5000, what: 'the abandoned interval taken over' },
    );
    expect(taken.ranges).toEqual([{ measurement: 'building', fromMs: at(5), toMs: at(6) }]);
  });
});
