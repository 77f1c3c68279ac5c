import type { RedisClient } from '@citypulse/redis';

type ScriptRunner = (keys: string[], args: Array<string | number>) => Promise<unknown>;

/**
 * A Lua script sent once per connection and then run by its SHA (ioredis `defineCommand` does
 * EVALSHA with an EVAL fallback). Scripts make a read-check-write atomic and publish the event
 * of a change together with the change.
 */
export function luaScript(redis: RedisClient, name: string, source: string): ScriptRunner {
  const command = `citypulse_${name}`;
  const target = redis as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  if (typeof target[command] !== 'function') redis.defineCommand(command, { lua: source });
  return (keys, args) => target[command](keys.length, ...keys, ...args);
}
