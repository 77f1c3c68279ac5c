import { slotTag } from '@citypulse/redis';
import type { AlertState } from './alert.js';

/**
 * Every Redis key of the alert store, in one place. One hash tag, `{<prefix>:alerts}`: the
 * lifecycle scripts change an alert, its history, its indexes, the (rule, device) pointer and the
 * renotify schedule in one atomic step, so on a Redis Cluster they share one slot.
 */
export class AlertKeys {
  private readonly prefix: string;

  constructor(prefix: string) {
    this.prefix = slotTag(prefix, 'alerts');
  }

  alert(id: string): string {
    return `${this.prefix}:alert:${id}`;
  }
  history(id: string): string {
    return `${this.prefix}:alert:${id}:history`;
  }
  /** (rule, device) → its not-resolved alert: "one open alert per pair". */
  current(ruleId: string, deviceId: string): string {
    return `${this.prefix}:alert:current:${ruleId}:${deviceId}`;
  }
  /** Not-resolved alerts of a device, for escalation. */
  deviceOpen(deviceId: string): string {
    return `${this.prefix}:alerts:device-open:${deviceId}`;
  }
  /** Time-ordered (openedAt) indexes for listing. */
  byState(state: AlertState | 'all'): string {
    return `${this.prefix}:alerts:${state}`;
  }
  byCity(city: string): string {
    return `${this.prefix}:alerts:city:${city}`;
  }
  byDevice(deviceId: string): string {
    return `${this.prefix}:alerts:device:${deviceId}`;
  }
  byRule(ruleId: string): string {
    return `${this.prefix}:alerts:rule:${ruleId}`;
  }
  /** Alert id → when it is next due for re-notification (epoch ms). */
  get renotify(): string {
    return `${this.prefix}:alerts:renotify`;
  }
}
