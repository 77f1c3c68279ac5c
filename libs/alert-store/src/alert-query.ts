import type { RedisClient } from '@citypulse/redis';
import type { Alert, AlertQuery } from './alert.js';
import type { AlertKeys } from './alert-keys.js';
import type { AlertStore } from './alert-store.js';

export interface AlertPage {
  items: Alert[];
  /** Exact when one index answers the query; absent when other filters were applied while paging. */
  total?: number;
  /** More matches exist after this page. */
  more: boolean;
}

const SCAN_PAGE = 500;

/**
 * Lists alerts newest first (by openedAt). Reads the most selective index — device, rule, city,
 * state, or all — within the time range, and filters the remaining conditions while paging.
 */
export async function queryAlerts(redis: RedisClient, store: AlertStore, keys: AlertKeys, query: AlertQuery): Promise<AlertPage> {
  const limit = query.limit ?? 100;
  const offset = query.offset ?? 0;
  const index = query.deviceId ? keys.byDevice(query.deviceId) : query.ruleId ? keys.byRule(query.ruleId) : query.city ? keys.byCity(query.city) : keys.byState(query.state ?? 'all');
  const max = query.toMs ?? '+inf';
  const min = query.fromMs ?? '-inf';
  const needsFilter = filters(query, index === keys.byState(query.state ?? 'all'));

  if (!needsFilter) {
    const [ids, total] = await Promise.all([redis.zrevrangebyscore(index, max, min, 'LIMIT', offset, limit + 1), redis.zcount(index, min, max)]);
    const items = await store.getMany(ids.slice(0, limit));
    return { items, total, more: ids.length > limit };
  }
  const items: Alert[] = [];
  let skipped = 0;
  for (let start = 0; ; start += SCAN_PAGE) {
    const ids = await redis.zrevrangebyscore(index, max, min, 'LIMIT', start, SCAN_PAGE);
    for (const alert of await store.getMany(ids)) {
      if (!matches(alert, query)) continue;
      if (skipped < offset) skipped++;
      else if (items.length < limit) items.push(alert);
      else return { items, more: true };
    }
    if (ids.length < SCAN_PAGE) return { items, more: false };
  }
}

/** Whether conditions remain beyond the index read (the state index answers `state` itself). */
function filters(q: AlertQuery, indexIsState: boolean): boolean {
  const byIndex = q.deviceId ? 'deviceId' : q.ruleId ? 'ruleId' : q.city ? 'city' : 'state';
  return (
    (q.state !== undefined && !indexIsState) ||
    (q.city !== undefined && byIndex !== 'city') ||
    (q.ruleId !== undefined && byIndex !== 'ruleId') ||
    q.severity !== undefined ||
    q.suppressed !== undefined ||
    q.cities !== undefined
  );
}

function matches(alert: Alert, q: AlertQuery): boolean {
  return (
    (q.state === undefined || alert.state === q.state) &&
    (q.city === undefined || alert.city === q.city) &&
    (q.cities === undefined || q.cities.includes(alert.city)) &&
    (q.deviceId === undefined || alert.deviceId === q.deviceId) &&
    (q.ruleId === undefined || alert.ruleId === q.ruleId) &&
    (q.severity === undefined || alert.severity === q.severity) &&
    (q.suppressed === undefined || (alert.suppressedBy !== undefined) === q.suppressed)
  );
}
