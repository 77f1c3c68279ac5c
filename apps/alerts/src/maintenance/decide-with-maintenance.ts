import type { MaintenanceCalendar } from '@citypulse/alert-config';
import type { DeviceReadings } from '@citypulse/contracts';
import {
  decideDevice,
  type DecideOptions,
  type DeviceRuleStates,
  type RuleDefinition,
  type RuleTarget,
} from '@citypulse/rules';
import { holdsSuppressed, markSuppressed, releaseSuppressed } from './suppress-in-maintenance.js';

/**
 * decideDevice with maintenance windows: readings up to the first one outside every window of the
 * device are decided as usual; if the device holds alerts raised under maintenance, they are
 * released at that reading (suppress-in-maintenance.ts) before the rest is decided; then whatever
 * was raised inside a window is marked suppressed. Pure, like decideDevice; the calendar is only
 * asked for devices holding a suppressed alert (per reading, from its remembered span) and per raise.
 */
export function decideWithMaintenance(
  current: DeviceRuleStates,
  target: RuleTarget,
  rules: RuleDefinition[],
  readings: DeviceReadings['readings'],
  options: DecideOptions,
  calendar: MaintenanceCalendar,
): DeviceRuleStates {
  let next = current;
  let rest = readings;
  if (holdsSuppressed(current)) {
    const ordered = [...readings].sort((a, b) => a[0] - b[0]);
    const out = ordered.findIndex(([tsMs]) => !calendar.openFor(target, tsMs));
    if (out >= 0) {
      if (out > 0) next = decideDevice(next, target, rules, ordered.slice(0, out), options);
      next = releaseSuppressed(next, target, rules, ordered[out][0]);
      rest = ordered.slice(out);
    }
  }
  next = decideDevice(next, target, rules, rest, options);
  markSuppressed(next, current.outbox, target, calendar);
  return next;
}
