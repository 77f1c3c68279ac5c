import { CronExpressionParser } from 'cron-parser';
import { addDays, instantOf, localDateAt, weekday, type LocalDate } from './zoned-time.js';

/** How far ahead `firstStartAfter` looks: "0 0 29 2 *" still starts within it. */
const LOOK_AHEAD_DAYS = 5 * 366;

/**
 * A five-field cron expression's start times in a time zone. cron-parser parses the expression (and
 * checks it), but its own iteration answers differently around a DST change depending on where it
 * starts (from just before Berlin's skipped hour it finds 02:30 → 03:30 CEST, from inside it does
 * not), so the times are laid out here per local day: every wall-clock time the expression names
 * starts once — a time repeated in autumn at its first pass, a time skipped in spring an hour later.
 */
export class ZonedCron {
  private readonly minutes: number[];
  private readonly hours: number[];
  private readonly days: ReadonlySet<number>;
  private readonly months: ReadonlySet<number>;
  private readonly weekdays: ReadonlySet<number>;
  /** Vixie cron: when both day fields are restricted, a day matching either one counts. */
  private readonly eitherDay: boolean;

  constructor(
    cron: string,
    private readonly timeZone: string,
  ) {
    const { minute, hour, dayOfMonth, month, dayOfWeek } = CronExpressionParser.parse(cron).fields;
    this.minutes = (minute.values as number[]).slice().sort((a, b) => a - b);
    this.hours = (hour.values as number[]).slice().sort((a, b) => a - b);
    this.days = new Set(dayOfMonth.values as number[]);
    this.months = new Set(month.values as number[]);
    this.weekdays = new Set((dayOfWeek.values as number[]).map((d) => d % 7));
    this.eitherDay = !dayOfMonth.isWildcard && !dayOfWeek.isWildcard;
  }

  /** The latest start at or before `atMs` and after `notBeforeMs`, if any. */
  latestStartAtOrBefore(atMs: number, afterMs: number): number | undefined {
    const first = addDays(localDateAt(afterMs, this.timeZone), -1);
    for (let date = addDays(localDateAt(atMs, this.timeZone), 1); !isBefore(date, first); date = addDays(date, -1)) {
      const starts = this.startsOn(date).filter((ms) => ms <= atMs && ms > afterMs);
      if (starts.length > 0) return Math.max(...starts);
    }
    return undefined;
  }

  /** The first start after `afterMs`, within about five years. */
  firstStartAfter(afterMs: number): number | undefined {
    let date = addDays(localDateAt(afterMs, this.timeZone), -1);
    for (let i = 0; i < LOOK_AHEAD_DAYS; i++, date = addDays(date, 1)) {
      const starts = this.startsOn(date).filter((ms) => ms > afterMs);
      if (starts.length > 0) return Math.min(...starts);
    }
    return undefined;
  }

  private startsOn(date: LocalDate): number[] {
    if (!this.months.has(date.month)) return [];
    const byDay = this.days.has(date.day);
    const byWeekday = this.weekdays.has(weekday(date));
    if (this.eitherDay ? !byDay && !byWeekday : !byDay || !byWeekday) return [];
    const starts: number[] = [];
    for (const hour of this.hours)
      for (const minute of this.minutes) starts.push(instantOf(date, hour, minute, this.timeZone));
    return starts;
  }
}

function isBefore(a: LocalDate, b: LocalDate): boolean {
  return a.year !== b.year ? a.year < b.year : a.month !== b.month ? a.month < b.month : a.day < b.day;
}
