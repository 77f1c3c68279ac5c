import type { RedisClient } from '@citypulse/redis';
import { VersionedHash } from '../versioned-hash.js';
import type { MaintenanceWindow } from './maintenance-window.js';

/**
 * Maintenance windows in Redis (`{<prefix>:maintenance}:windows`) with a version counter bumped by
 * every change (as the rules keep theirs), so each alerts process caches the windows and re-reads
 * them only when the version moved — one GET per job.
 */
export class MaintenanceRepository extends VersionedHash<MaintenanceWindow> {
  constructor(redis: RedisClient, prefix: string) {
    super(redis, prefix, 'maintenance', 'windows');
  }
}
