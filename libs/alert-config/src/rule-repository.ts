import type { RedisClient } from '@citypulse/redis';
import type { RuleDefinition } from '@citypulse/rules';
import { VersionedHash } from './versioned-hash.js';

/**
 * Operator-managed rules in Redis (`{<prefix>:rules}:rules`) with a version counter bumped by every
 * change. Workers compare the version once per job (one GET) and reload on change, so a rule change
 * applies to every job that starts after it — no pub/sub message to miss, no TTL to wait.
 */
export class RuleRepository extends VersionedHash<RuleDefinition> {
  constructor(redis: RedisClient, prefix: string) {
    super(redis, prefix, 'rules', 'rules');
  }
}
