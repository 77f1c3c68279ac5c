import type { Redis } from 'ioredis';
import type { RuleState } from '@citypulse/rules';
import type { AlertTransition } from './alert-transition.js';

/** Rule state of one (rule, device), plus the alert it currently holds open. */
export interface StoredRuleState {
  rule: RuleState;
  openAlertId?: string;
}

export interface DeviceRuleStates {
  states: Record<string, StoredRuleState>;
  /** Transitions decided but not yet confirmed applied to the alert store. */
  outbox: AlertTransition[];
}

const OUTBOX = '__outbox';

/**
 * Per-device rule state in one Redis hash (field per rule id, plus an outbox), updated with
 * optimistic concurrency: WATCH, read, decide, MULTI/EXEC. Two workers evaluating the same device
 * at once cannot both win; the loser re-reads and re-decides, so no alert is raised twice.
 *
 * Needs a connection of its own: WATCH belongs to the connection.
 */
export class RuleStateRepository {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(deviceId: string): string {
    return `${this.prefix}:rule-state:${deviceId}`;
  }

  /**
   * Runs `decide` on the device's current state and stores what it returns, retrying on a
   * concurrent change. Returns the outbox as stored (earlier unapplied transitions first).
   */
  async update(deviceId: string, decide: (current: DeviceRuleStates) => DeviceRuleStates): Promise<AlertTransition[]> {
    const key = this.key(deviceId);
    for (let attempt = 1; ; attempt++) {
      await this.redis.watch(key);
      const hash = await this.redis.hgetall(key);
      const next = decide(parse(hash));
      const fields: Record<string, string> = { [OUTBOX]: JSON.stringify(next.outbox) };
      for (const [ruleId, state] of Object.entries(next.states)) fields[ruleId] = JSON.stringify(state);
      const result = await this.redis.multi().hset(key, fields).exec();
      if (result !== null) return next.outbox;
      if (attempt >= 50) throw new Error(`rule state of ${deviceId} kept changing under us`);
    }
  }

  /** Clears the outbox once applied, unless another worker has appended to it meanwhile. */
  async clearOutbox(deviceId: string, applied: AlertTransition[]): Promise<void> {
    await this.redis.eval(
      `if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then redis.call('HSET', KEYS[1], ARGV[1], '[]') end`,
      1,
      this.key(deviceId),
      OUTBOX,
      JSON.stringify(applied),
    );
  }
}

function parse(hash: Record<string, string>): DeviceRuleStates {
  const states: Record<string, StoredRuleState> = {};
  for (const [field, json] of Object.entries(hash)) if (field !== OUTBOX) states[field] = JSON.parse(json) as StoredRuleState;
  return { states, outbox: hash[OUTBOX] ? (JSON.parse(hash[OUTBOX]) as AlertTransition[]) : [] };
}
