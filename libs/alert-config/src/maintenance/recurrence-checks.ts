import { CronExpressionParser } from 'cron-parser';

/** Why `cron` is not a five-field cron expression this project schedules, or undefined when it is one. */
export function cronProblem(cron: string): string | undefined {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5)
    return `cron must have five fields (minute hour day-of-month month day-of-week), got ${fields.length}`;
  try {
    const { minute, hour, dayOfMonth, month, dayOfWeek } = CronExpressionParser.parse(cron).fields;
    const plain = [minute, hour, dayOfMonth, month, dayOfWeek].every((f) =>
      (f.values as unknown[]).every((v) => typeof v === 'number'),
    );
    if (!plain || dayOfWeek.nthDay > 0) return 'cron: L, W and # are not supported';
    return undefined;
  } catch (err) {
    return `cron is not a valid expression: ${(err as Error).message}`;
  }
}

/** Whether the runtime knows `zone` as an IANA time zone (e.g. "Europe/Berlin", "Asia/Shanghai", "UTC"). */
export function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
