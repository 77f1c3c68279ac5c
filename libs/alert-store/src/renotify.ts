import { luaScript, type RedisClient } from '@citypulse/redis';
import type { Alert, AlertEvent } from './alert.js';
import type { AlertStore } from './alert-store.js';
import type { AlertKeys } from './alert-keys.js';
import { CLAIM_RENOTIFY } from './alert-scripts.js';

/**
 * Alerts due for a reminder: open (not acknowledged — someone is on those), not snoozed, past
 * their next re-notification time. Each is claimed (its next time moved on atomically) before it
 * is returned, so two workers running the check at once never both send the reminder.
 */
export async function claimDueReminders(
  redis: RedisClient,
  store: AlertStore,
  keys: AlertKeys,
  nowMs: number,
  limit = 1000,
): Promise<Array<{ alert: Alert; event: AlertEvent }>> {
  const due = await redis.zrangebyscore(keys.renotify, '-inf', nowMs, 'WITHSCORES', 'LIMIT', 0, limit);
  const claimed: Array<{ alert: Alert; event: AlertEvent }> = [];
  const claim = luaScript(redis, 'alert_claim_renotify', CLAIM_RENOTIFY);
  for (let i = 0; i < due.length; i += 2) {
    const [id, score] = [due[i], due[i + 1]];
    const alert = await store.get(id);
    const snoozedUntilMs = alert?.snoozedUntil ? Date.parse(alert.snoozedUntil) : 0;
    let next = '';
    if (alert && alert.state === 'open' && alert.renotifySeconds > 0) {
      next = String(snoozedUntilMs > nowMs ? snoozedUntilMs : nowMs + alert.renotifySeconds * 1000);
    }
    if ((await claim([keys.renotify], [id, score, next])) !== 1) continue;
    if (!alert || alert.state !== 'open' || snoozedUntilMs > nowMs || alert.renotifySeconds === 0) continue;
    const at = new Date(nowMs).toISOString();
    claimed.push({
      alert,
      event: {
        id: `${id}:renotified:${nowMs}`,
        alertId: id,
        kind: 'renotified',
        at,
        actor: 'rule',
        value: alert.lastValue,
      },
    });
  }
  return claimed;
}
