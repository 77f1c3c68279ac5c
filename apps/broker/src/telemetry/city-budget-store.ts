import { luaScript, slotTag, type RedisClient, type ScriptRunner } from '@citypulse/redis';
import type { Grant } from './city-budget.js';

/**
 * KEYS[1]: the city's bucket, one number: its theoretical arrival time (GCRA), in Redis' own clock
 * (TIME), so brokers' clocks never matter. ARGV: interval ms per reading, burst ms (capacity),
 * longest hold ms, readings wanted. Grants as many of the wanted readings as are paid for within
 * the longest hold (reading i at tat + i × interval − burst), moves tat past them, and returns
 * {granted, paid-from offset ms, retry-in ms} — numbers as strings, since Lua replies truncate to integers.
 * The key expires once the bucket is full again, so an idle city costs nothing.
 */
const TAKE_BLOCK = `
local interval, burst, maxHold, want = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local granted = math.min(want, math.floor((now + burst + maxHold - tat) / interval))
if granted < 1 then
  return {0, '0', string.format('%.3f', tat + interval - burst - maxHold - now)}
end
local after = tat + granted * interval
redis.call('SET', KEYS[1], string.format('%.4f', after), 'PX', math.ceil(after - now))
return {granted, string.format('%.3f', tat - burst - now), '0'}
`;

/**
 * The shared per-city buckets in Redis: one small script call hands a broker a block of readings.
 * Each city's bucket is its own key under its own hash tag (`{<prefix>:rate:<city>}`), so on a
 * Redis Cluster the script touches one slot and cities spread over the shards.
 */
export class CityBudgetStore {
  private readonly takeBlock: ScriptRunner;

  constructor(
    redis: RedisClient,
    private readonly prefix: string,
  ) {
    this.takeBlock = luaScript(redis, 'citypulse_city_budget_take', TAKE_BLOCK);
  }

  key(city: string): string {
    return slotTag(this.prefix, `rate:${city}`);
  }

  async take(
    city: string,
    shape: { intervalMs: number; burstMs: number; maxHoldMs: number },
    readings: number,
  ): Promise<Grant> {
    const reply = await this.takeBlock([this.key(city)], [shape.intervalMs, shape.burstMs, shape.maxHoldMs, readings]);
    const [granted, paidFrom, retryIn] = reply as [number, string, string];
    return { readings: Number(granted), paidFromOffsetMs: Number(paidFrom), retryInMs: Number(retryIn) };
  }
}
