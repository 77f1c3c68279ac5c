import { luaScript, type RedisClient, type ScriptRunner } from '@citypulse/redis';
import { ruleStateKey } from '@citypulse/alert-store';
import type { AlertTransition, DeviceRuleStates, StoredRuleState } from '@citypulse/rules';

const OUTBOX = '__outbox';

/** Empties the outbox (KEYS[1], field ARGV[1]) only if it still holds what was applied (ARGV[2]). */
const CLEAR_OUTBOX = `
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('HSET', KEYS[1], ARGV[1], '[]')
end`;

/**
 * Per-device rule state in one Redis hash (field per rule id, plus an outbox), updated with
 * optimistic concurrency: WATCH, read, decide, MULTI/EXEC. Two workers evaluating the same device
 * at once cannot both win; the loser re-reads and re-decides, so no alert is raised twice.
 *
 * Needs a connection of its own: WATCH belongs to the connection.
 */
export class RuleStateRepository {
  private readonly clearOutboxScript: ScriptRunner;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {
    this.clearOutboxScript = luaScript(redis, 'rule_state_clear_outbox', CLEAR_OUTBOX);
  }

  /**
   * ruleStateKey: one slot for every device. (That slot's shard carries all rule-state traffic: a few round trips per
   * job of ~1000 readings.)
   */
  private key(deviceId: string): string {
    return ruleStateKey(this.prefix, deviceId);
  }

  /**
   * Runs `decide` on each device's current state and stores what it returns, all devices of a
   * job in three round trips (WATCH all, read all, MULTI/EXEC all) rather than three per device.
   * On a concurrent change to any of them, re-reads and re-decides. `decide` returning undefined
   * leaves that device's state as it is (not even created). Returns each stored device's outbox
   * (earlier unapplied transitions first).
   */
  async updateMany(
    deviceIds: string[],
    decide: (deviceId: string, current: DeviceRuleStates) => DeviceRuleStates | undefined,
  ): Promise<Map<string, AlertTransition[]>> {
    if (deviceIds.length === 0) return new Map();
    const keys = deviceIds.map((id) => this.key(id));
    for (let attempt = 1; ; attempt++) {
      await this.redis.watch(...keys);
      const read = this.redis.pipeline();
      for (const key of keys) read.hgetall(key);
      const hashes = ((await read.exec()) ?? []).map(([err, hash]) => {
        if (err) throw err;
        return hash as Record<string, string>;
      });
      const write = this.redis.multi();
      const outboxes = new Map<string, AlertTransition[]>();
      deviceIds.forEach((deviceId, i) => {
        const next = decide(deviceId, parse(hashes[i]));
        if (!next) return;
        const fields: Record<string, string> = { [OUTBOX]: JSON.stringify(next.outbox) };
        for (const [ruleId, state] of Object.entries(next.states)) fields[ruleId] = JSON.stringify(state);
        write.hset(keys[i], fields);
        outboxes.set(deviceId, next.outbox);
      });
      if ((await write.exec()) !== null) return outboxes;
      if (attempt >= 50) throw new Error(`rule state of ${deviceIds.length} devices kept changing under us`);
    }
  }

  /** Clears the outbox once applied, unless another worker has appended to it meanwhile. */
  async clearOutbox(deviceId: string, applied: AlertTransition[]): Promise<void> {
    await this.clearOutboxScript([this.key(deviceId)], [OUTBOX, JSON.stringify(applied)]);
  }
}

function parse(hash: Record<string, string>): DeviceRuleStates {
  const states: Record<string, StoredRuleState> = {};
  for (const [field, json] of Object.entries(hash))
    if (field !== OUTBOX) states[field] = JSON.parse(json) as StoredRuleState;
  return { states, outbox: hash[OUTBOX] ? (JSON.parse(hash[OUTBOX]) as AlertTransition[]) : [] };
}
