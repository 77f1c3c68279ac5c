import { PrivateRedis, PrivateRedisCluster, testConfig, uniqueName } from '@citypulse/testing';
import { connectRedis, dataNodes, type RedisClient } from './redis-client.js';
import { luaScript } from './lua-script.js';

/** Adds ARGV[1] to every key it is given (one to three): the reply is the sum of the new values. */
const ADD_TO_ALL = `
local total = 0
for i = 1, #KEYS do total = total + redis.call('INCRBY', KEYS[i], ARGV[1]) end
return total`;

interface Deployment {
  env: Record<string, string>;
  /** Restarts the server holding `key` from its AOF: the data stays, the scripts it knew are gone. */
  restartHolderOf(key: string): Promise<void>;
  destroy(): Promise<void>;
}

/** Private servers: the tests flush and restart them, which the shared stack's must never see. */
const DEPLOYMENTS: Array<{ name: string; start: () => Promise<Deployment> }> = [
  {
    name: 'one Redis',
    start: async () => {
      const server = await PrivateRedis.create();
      await server.start();
      return {
        env: { CP_REDIS_URL: server.url, CP_REDIS_CLUSTER_NODES: '' },
        restartHolderOf: async () => {
          await server.stop();
          await server.start();
        },
        destroy: () => server.destroy(),
      };
    },
  },
  {
    name: 'a Redis Cluster',
    start: async () => {
      const cluster = await PrivateRedisCluster.create();
      await cluster.start();
      return {
        env: { CP_REDIS_CLUSTER_NODES: cluster.nodes },
        restartHolderOf: async (key) => cluster.restartNode(await cluster.nodeIndexOf(key)),
        destroy: () => cluster.destroy(),
      };
    },
  },
];

/**
 * luaScript on one Redis and on a Redis Cluster: the script goes in full only when the server does
 * not know it, calls of several key counts on keys of many slots made in one tick (auto-pipelined
 * per node on a cluster) all run, and a server that forgot its scripts in a restart gets them again
 * — never a NOSCRIPT for the caller, also for calls ioredis retried in a pipeline across the restart.
 */
describe.each(DEPLOYMENTS)('luaScript on $name', ({ start }) => {
  let deployment: Deployment;
  let redis: RedisClient;
  let run: ReturnType<typeof luaScript>;
  const prefix = uniqueName('lua');
  /** Group g's keys: one to three, under one hash tag per group (so the groups spread over a cluster's slots). */
  const keysOf = (g: number) => Array.from({ length: 1 + (g % 3) }, (_, i) => `{${prefix}:${g}}:k${i}`);

  beforeAll(async () => {
    deployment = await start();
    redis = connectRedis(testConfig(deployment.env), 'lua-test');
    run = luaScript(redis, 'add_to_all', ADD_TO_ALL);
  }, 60_000);
  afterAll(async () => {
    redis?.disconnect();
    await deployment?.destroy();
  });

  /** EVAL and EVALSHA calls so far, over every master. */
  const scriptCalls = async () => {
    const counts = { eval: 0, evalsha: 0 };
    for (const node of await dataNodes(redis)) {
      const stats = await node.info('commandstats');
      counts.eval += Number(/^cmdstat_eval:calls=(\d+)/m.exec(stats)?.[1] ?? 0);
      counts.evalsha += Number(/^cmdstat_evalsha:calls=(\d+)/m.exec(stats)?.[1] ?? 0);
    }
    return counts;
  };

  it('sends the script in full once, when the server does not know it, and by its SHA after', async () => {
    const before = await scriptCalls();
    for (let i = 1; i <= 5; i++) expect(await run(keysOf(0), [1])).toBe(i);
    const after = await scriptCalls();
    expect(after.eval - before.eval).toBe(1);
    expect(after.evalsha - before.evalsha).toBe(5);
  });

  it('runs calls of one to three keys on keys of many slots, made in one tick', async () => {
    const groups = Array.from({ length: 60 }, (_, g) => g + 1);
    const replies = await Promise.all(groups.map((g) => run(keysOf(g), [g])));
    expect(replies).toEqual(groups.map((g) => g * keysOf(g).length));
  });

  it('runs the script again on a server restarted meanwhile (its scripts gone): never a NOSCRIPT for the caller', async () => {
    const groups = Array.from({ length: 30 }, (_, g) => 100 + g);
    await Promise.all(groups.map((g) => run(keysOf(g), [1])));
    let stop = false;
    const failures: string[] = [];
    // Calls in flight while the server goes down and comes back: they may fail for the server being
    // away (the caller's retry), never for the script it forgot.
    const inFlight = (async () => {
      while (!stop) {
        const outcomes = await Promise.allSettled(groups.map((g) => run(keysOf(g), [1])));
        for (const o of outcomes) if (o.status === 'rejected') failures.push(String((o.reason as Error).message));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    let afterRestart: unknown[];
    try {
      await deployment.restartHolderOf(keysOf(groups[0])[0]);
      afterRestart = await Promise.all(groups.map((g) => run(keysOf(g), [0])));
    } finally {
      stop = true;
      await inFlight;
    }
    expect(failures.filter((message) => message.includes('NOSCRIPT'))).toEqual([]);
    // All at once after the restart, each group's counters as kept (AOF): at least the first round's.
    afterRestart.forEach((total, i) => expect(Number(total)).toBeGreaterThanOrEqual(keysOf(groups[i]).length));
  }, 60_000);
});
