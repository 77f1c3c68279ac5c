import type { RuleTarget } from '@citypulse/rules';

/** How a recurring window repeats: it opens at each cron time, in its time zone, for `durationMinutes`. */
export interface Recurrence {
  /** Five fields (minute hour day-of-month month day-of-week), read in `timeZone`. */
  cron: string;
  /** An IANA zone, e.g. "Europe/Berlin": "0 2 * * *" is 02:00 local time whatever the season. */
  timeZone: string;
  /** Elapsed minutes each occurrence stays open (not wall-clock: a DST change does not stretch it). */
  durationMinutes: number;
}

/**
 * A maintenance window: while it is open, alerts for the devices in its scope are recorded as
 * suppressed and notify no one, and deadman checks skip those devices.
 *
 * Scope: every device of `city`, narrowed by `site`, `deviceType` and/or `deviceIds` (all given must match).
 * Time: one-off from `startsAt` to `endsAt`; or recurring, when `startsAt`/`endsAt` (both optional)
 * only bound the recurrence.
 */
export interface MaintenanceWindow {
  id: string;
  city: string;
  site?: string;
  deviceType?: string;
  deviceIds?: string[];
  /** ISO 8601. */
  startsAt?: string;
  endsAt?: string;
  recurrence?: Recurrence;
  reason?: string;
  createdBy: string;
  createdAt: string;
  updatedAt?: string;
}

/** Whether the device is in the window's scope (time aside). */
export function inScope(window: MaintenanceWindow, target: RuleTarget): boolean {
  return (
    window.city === target.city &&
    (window.site === undefined || window.site === target.site) &&
    (window.deviceType === undefined || window.deviceType === target.deviceType) &&
    (window.deviceIds === undefined || window.deviceIds.includes(target.deviceId))
  );
}
