import { WindowSchedule, type MaintenanceWindow, type Opening } from '@citypulse/alert-config';

/** A window as the API shows it: what was saved, plus when it is open now and when it opens next. */
export interface WindowView extends MaintenanceWindow {
  /** Open now. */
  open: boolean;
  /** Will it open (again) after now? A recurring window open now is usually upcoming too. */
  upcoming: boolean;
  currentOpening?: { start: string; end: string };
  nextOpening?: { start: string; end: string };
}

export function viewOf(window: MaintenanceWindow, nowMs: number): WindowView {
  const schedule = new WindowSchedule(window);
  const current = schedule.openingAt(nowMs);
  const next = schedule.nextOpening(nowMs);
  return {
    ...window,
    open: current !== undefined,
    upcoming: next !== undefined,
    ...(current && { currentOpening: isoOf(current) }),
    ...(next && { nextOpening: isoOf(next) }),
  };
}

export function hasStatus(view: WindowView, status: 'open' | 'upcoming' | 'ended'): boolean {
  if (status === 'open') return view.open;
  if (status === 'upcoming') return view.upcoming;
  return !view.open && !view.upcoming;
}

/** Open now first (soonest closing first), then by the next opening, ended last. */
export function byOpening(a: WindowView, b: WindowView): number {
  const key = (v: WindowView) =>
    v.currentOpening ? `0${v.currentOpening.end}` : v.nextOpening ? `1${v.nextOpening.start}` : `2${v.endsAt ?? ''}`;
  return key(a).localeCompare(key(b));
}

function isoOf(opening: Opening): { start: string; end: string } {
  return { start: iso(opening.startMs), end: iso(opening.endMs) };
}

/** ±Infinity (an unbounded side of a window) has no ISO form: shown as absent. */
function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : '';
}
