import type { MaintenanceCalendar } from '@citypulse/alert-config';
import type { RuleTarget } from '@citypulse/rules';
import type { AlertTransition } from '../alert-transition.js';

/**
 * Marks the alerts a decision raises while the device is under maintenance: each `raised`
 * transition of `outbox` not already in `earlier` (the outbox before this decision, whose entries
 * are carried over as they are) whose event time falls in an open window of the device is raised
 * as suppressed by that window. Asked only per raise — normal readings and
 * repeats never reach the calendar — and the calendar answers from memory (refreshed per job).
 */
export function markSuppressed(outbox: AlertTransition[], earlier: readonly AlertTransition[], target: RuleTarget, calendar: MaintenanceCalendar): void {
  if (calendar.empty) return;
  for (let i = 0; i < outbox.length; i++) {
    const t = outbox[i];
    if (t.kind !== 'raised' || earlier.includes(t)) continue;
    const open = calendar.openFor(target, t.atMs);
    if (open) outbox[i] = { ...t, suppressedBy: open.window.id };
  }
}
