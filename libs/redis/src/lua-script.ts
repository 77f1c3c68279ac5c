import { createHash } from 'node:crypto';
import type { RedisClient } from './redis-client.js';

export type ScriptRunner = (keys: string[], args: Array<string | number>) => Promise<unknown>;

/**
 * A Lua script run by its SHA (EVALSHA), sent in full (EVAL) only when Redis does not know it yet
 * (first use, or after a restart). Scripts make a read-check-write atomic and publish the event
 * of a change together with the change. The one way citypulse runs a script (tested on one Redis
 * and a Redis Cluster, lua-script.int-test.ts).
 *
 * The fallback is ours, per call: a call ioredis retried inside a cluster pipeline (a master
 * restarting in place, its scripts gone) comes back with NOSCRIPT like any other, and is sent in
 * full then — with defineCommand ioredis' own fallback did not cover that retry, and the broker's
 * first hand-off appends after a master restart failed.
 *
 * Why EVALSHA and not ioredis `defineCommand`: these scripts take a varying number of keys, and a
 * defined command with a varying key count is called as `cmd(numKeys, ...keys)`. ioredis' auto-
 * pipelining on a Redis Cluster groups a command it does not know by its first argument — here the
 * key count — so a script landed in the pipeline of whichever node owns the slot of "4", and the
 * whole batch was refused ("All keys in the pipeline should belong to the same slots allocation
 * group"). EVALSHA is a command ioredis knows, so it is grouped by its first key.
 */
export function luaScript(redis: RedisClient, _name: string, source: string): ScriptRunner {
  const sha = createHash('sha1').update(source).digest('hex');
  return async (keys, args) => {
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!String((err as Error).message).includes('NOSCRIPT')) throw err;
      return redis.eval(source, keys.length, ...keys, ...args);
    }
  };
}
