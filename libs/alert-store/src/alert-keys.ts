import type { AlertState } from './alert.js';

/** Every Redis key of the alert store, in one place. */
export class AlertKeys {
  constructor(private readonly prefix: string) {}

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
