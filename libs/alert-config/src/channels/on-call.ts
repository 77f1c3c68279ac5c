import type { OnCallRotation } from './escalation-policy.js';

const DAY_MS = 86_400_000;

/** The calendar date at `atMs` in `timeZone`, as days since 1970-01-01. */
function localDay(atMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(new Date(atMs));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return Date.UTC(get('year'), get('month') - 1, get('day')) / DAY_MS;
}

/**
 * Who is on duty at `atMs`: the rotation's people take turns a week each, the first from local
 * midnight of `startDate` in the rotation's time zone (so the turn follows the city's calendar,
 * daylight saving included). Before the start date the turns run backwards the same way.
 */
export function onDuty(
  rotation: Pick<OnCallRotation, 'people' | 'startDate' | 'timeZone'>,
  atMs: number,
): { name: string; email: string } {
  const start = Date.parse(`${rotation.startDate}T00:00:00Z`) / DAY_MS;
  const week = Math.floor((localDay(atMs, rotation.timeZone) - start) / 7);
  const n = rotation.people.length;
  return rotation.people[((week % n) + n) % n];
}
