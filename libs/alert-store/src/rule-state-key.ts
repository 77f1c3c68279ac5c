import { slotTag } from '@citypulse/redis';

/**
 * The Redis hash of one device's rule state (apps/alerts RuleStateRepository). One hash tag for
 * every device, `{<prefix>:rule-state}`: a job's devices are WATCHed and written in one MULTI,
 * which a Redis Cluster allows within one slot only. Here so the API can delete a removed
 * device's state without reaching into the alerts app.
 */
export function ruleStateKey(prefix: string, deviceId: string): string {
  return `${slotTag(prefix, 'rule-state')}:${deviceId}`;
}
