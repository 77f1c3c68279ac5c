import { DEVICE_ID_PATTERN } from '@citypulse/registry';
import type { DeviceCities } from './device-cities.js';

/**
 * Device topics an operator's tool may read: what devices report and what they are told back; never commands or config.
 */
const OPERATOR_READ_KINDS = new Set(['telemetry', 'state', 'errors', 'command-acks']);
/** Alert messages for operators' tools: `alerts/{city}/{severity}`. */
const ALERTS_ROOT = 'alerts';
const LEVEL = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** Live data of sharing agreements: `shares/{share id}/{device type}/{field}`. */
const SHARES_ROOT = 'shares';
const SHARE_ID = /^sh-[a-f0-9]{12}$/;

/**
 * Which topic filters an operator login may subscribe to: `devices/{id or +}/{telemetry|state|errors|command-acks}`,
 * anything under `alerts/`, and one named share's `shares/{id}/…` (whether the share is its cities'
 * to read is checked against the agreement before the subscription is granted). Which messages it
 * then receives is the forward check's business (its cities; a share's receiving cities while it
 * is live), so a wildcard over devices is fine here.
 */
export function operatorMaySubscribe(filter: string): boolean {
  const levels = filter.split('/');
  if (levels[0] === 'devices') {
    return (
      levels.length === 3 &&
      (levels[1] === '+' || DEVICE_ID_PATTERN.test(levels[1])) &&
      OPERATOR_READ_KINDS.has(levels[2])
    );
  }
  if (levels[0] === ALERTS_ROOT) {
    if (levels.length < 2 || levels.length > 3) return false;
    return levels
      .slice(1)
      .every((level, i, rest) => level === '+' || LEVEL.test(level) || (level === '#' && i === rest.length - 1));
  }
  if (levels[0] === SHARES_ROOT) {
    if (levels.length < 3 || levels.length > 4 || !SHARE_ID.test(levels[1])) return false;
    return levels
      .slice(2)
      .every((level, i, rest) => level === '+' || LEVEL.test(level) || (level === '#' && i === rest.length - 1));
  }
  return false;
}

/** The share a `shares/{id}/…` topic or filter is about (never a wildcard); undefined for any other topic. */
export function shareOfTopic(topic: string): string | undefined {
  const levels = topic.split('/');
  return levels[0] === SHARES_ROOT && SHARE_ID.test(levels[1] ?? '') ? levels[1] : undefined;
}

/**
 * The city a message belongs to: from the device registry for device topics, from the topic for alerts; undefined if
 * unknown.
 */
export function cityOfTopic(topic: string, cities: DeviceCities): string | undefined {
  const levels = topic.split('/');
  if (levels.length !== 3) return undefined;
  if (levels[0] === 'devices') return cities.get(levels[1]);
  if (levels[0] === ALERTS_ROOT) return levels[1];
  return undefined;
}
