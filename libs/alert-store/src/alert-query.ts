import type { RedisClient } from '@citypulse/redis';
import {
  ALERT_STATES,
  SEVERITY_RANK,
  type Alert,
  type AlertQuery,
  type AlertSeverity,
  type AlertState,
} from './alert.js';
import type { AlertKeys } from './alert-keys.js';
import type { AlertStore } from './alert-store.js';

export interface AlertPage {
  items: Alert[];
  /**
   * Exact when one index answers the query or every match was read; absent when other filters were applied while
   * paging.
   */
  total?: number;
  /** More matches exist after this page. */
  more: boolean;
}

/** Alerts per severity and state (every severity and state present, 0 when none). */
export type AlertCounts = Record<AlertSeverity, Record<AlertState, number>>;

const SCAN_PAGE = 500;
const SEVERITIES: readonly AlertSeverity[] = ['critical', 'warning', 'info'];

/**
 * Lists alerts by `query.order`: newest first (by openedAt, the default), or most severe first
 * and newest first within a severity. Reads the most selective index — device, rule, city,
 * state, or all — within the time range, and filters the remaining conditions while paging.
 */
export async function queryAlerts(
  redis: RedisClient,
  store: AlertStore,
  keys: AlertKeys,
  query: AlertQuery,
): Promise<AlertPage> {
  if (query.order === 'severity' || query.state === 'active') return sorted(redis, store, keys, query);
  const limit = query.limit ?? 100;
  const offset = query.offset ?? 0;
  const [index] = indexesFor(keys, query);
  const { min, max } = rangeOf(query);
  const needsFilter = filters(query, index === keys.byState(query.state ?? 'all'));

  if (!needsFilter) {
    const [ids, total] = await Promise.all([
      redis.zrevrangebyscore(index, max, min, 'LIMIT', offset, limit + 1),
      redis.zcount(index, min, max),
    ]);
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

/**
 * Counts the alerts matching the query's filters per severity and state (its `severity` is
 * ignored: every severity is counted), so a view can say what exists beyond the page it shows.
 * A `state` restricts what is counted (the other states count 0): 'active' reads only the
 * not-resolved alerts, which are few, where a city's index holds its whole history.
 */
export async function countAlerts(redis: RedisClient, keys: AlertKeys, query: AlertQuery): Promise<AlertCounts> {
  const counts = Object.fromEntries(
    SEVERITIES.map((s) => [s, Object.fromEntries(ALERT_STATES.map((state) => [state, 0]))]),
  ) as AlertCounts;
  const unfiltered = { ...query, severity: undefined };
  for await (const summary of summaries(redis, keys, unfiltered)) {
    if (matches(summary, unfiltered)) counts[summary.severity][summary.state] += 1;
  }
  return counts;
}

/**
 * Most severe first (or, for the not-resolved alerts of two state indexes, newest first): one
 * pass over the indexes reads only the fields that filter and order (not whole alerts), then
 * loads the page. Linear in the alerts the indexes hold for the time range — the not-resolved
 * ones for the default queue.
 */
async function sorted(redis: RedisClient, store: AlertStore, keys: AlertKeys, query: AlertQuery): Promise<AlertPage> {
  const limit = query.limit ?? 100;
  const offset = query.offset ?? 0;
  const matching: AlertSummary[] = [];
  for await (const summary of summaries(redis, keys, query)) if (matches(summary, query)) matching.push(summary);
  const bySeverity = query.order === 'severity';
  matching.sort(
    (a, b) => (bySeverity ? SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] : 0) || b.openedAtMs - a.openedAtMs,
  );
  const items = await store.getMany(matching.slice(offset, offset + limit).map((s) => s.id));
  return { items, total: matching.length, more: offset + limit < matching.length };
}

type AlertSummary = Pick<
  Alert,
  'id' | 'state' | 'city' | 'site' | 'deviceId' | 'ruleId' | 'severity' | 'suppressedBy'
> & { openedAtMs: number };
const SUMMARY_FIELDS = ['id', 'state', 'city', 'site', 'deviceId', 'ruleId', 'severity', 'suppressedBy'] as const;

/** The indexes' alerts, a page of HMGETs per round trip. */
async function* summaries(redis: RedisClient, keys: AlertKeys, query: AlertQuery): AsyncGenerator<AlertSummary> {
  const { min, max } = rangeOf(query);
  for (const index of indexesFor(keys, query)) {
    for (let start = 0; ; start += SCAN_PAGE) {
      const flat = await redis.zrevrangebyscore(index, max, min, 'WITHSCORES', 'LIMIT', start, SCAN_PAGE);
      const pipeline = redis.pipeline();
      for (let i = 0; i < flat.length; i += 2) pipeline.hmget(keys.alert(flat[i]), ...SUMMARY_FIELDS);
      const results = flat.length > 0 ? ((await pipeline.exec()) ?? []) : [];
      for (const [i, [, values]] of results.entries()) {
        const [id, state, city, site, deviceId, ruleId, severity, suppressedBy] = (values ?? []) as Array<
          string | null
        >;
        // An alert whose hash is gone (expired or being written) is skipped, as getMany does.
        if (!id || !state || !severity) continue;
        yield {
          id,
          state: state as AlertState,
          city: city ?? '',
          site: site ?? '',
          deviceId: deviceId ?? '',
          ruleId: ruleId ?? '',
          severity: severity as AlertSeverity,
          ...(suppressedBy ? { suppressedBy } : {}),
          openedAtMs: Number(flat[2 * i + 1]),
        };
      }
      if (flat.length < 2 * SCAN_PAGE) break;
    }
  }
}

/**
 * The most selective index for the query. 'active' (not resolved) reads both not-resolved state
 * indexes, even with a city: they hold what is open now, a city's index its whole history.
 */
function indexesFor(keys: AlertKeys, query: AlertQuery): string[] {
  if (query.deviceId) return [keys.byDevice(query.deviceId)];
  if (query.ruleId) return [keys.byRule(query.ruleId)];
  if (query.state === 'active') return [keys.byState('open'), keys.byState('acknowledged')];
  if (query.city) return [keys.byCity(query.city)];
  return [keys.byState(query.state ?? 'all')];
}

function rangeOf(query: AlertQuery): { min: number | string; max: number | string } {
  return { min: query.fromMs ?? '-inf', max: query.toMs ?? '+inf' };
}

/** Whether conditions remain beyond the index read (the state index answers `state` itself). */
function filters(q: AlertQuery, indexIsState: boolean): boolean {
  const byIndex = q.deviceId ? 'deviceId' : q.ruleId ? 'ruleId' : q.city ? 'city' : 'state';
  return (
    (q.state !== undefined && !indexIsState) ||
    q.site !== undefined ||
    (q.city !== undefined && byIndex !== 'city') ||
    (q.ruleId !== undefined && byIndex !== 'ruleId') ||
    q.severity !== undefined ||
    q.suppressed !== undefined ||
    q.cities !== undefined
  );
}

function matches(alert: Omit<AlertSummary, 'openedAtMs'>, q: AlertQuery): boolean {
  return (
    (q.state === undefined || (q.state === 'active' ? alert.state !== 'resolved' : alert.state === q.state)) &&
    (q.city === undefined || alert.city === q.city) &&
    (q.site === undefined || alert.site === q.site) &&
    (q.cities === undefined || q.cities.includes(alert.city)) &&
    (q.deviceId === undefined || alert.deviceId === q.deviceId) &&
    (q.ruleId === undefined || alert.ruleId === q.ruleId) &&
    (q.severity === undefined || alert.severity === q.severity) &&
    (q.suppressed === undefined || (alert.suppressedBy !== undefined) === q.suppressed)
  );
}
