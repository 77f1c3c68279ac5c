import type { FieldValue } from '@citypulse/contracts';
import { escapeTag, formatFieldValue } from '@citypulse/storage';

const MINUTE_MS = 60_000;

/** One field of one series in one minute, as the 1-minute rollup keeps it. */
interface FieldAggregate {
  /** The first value's kind; a field holds one kind (InfluxDB refuses a second in a shard). */
  kind: 'number' | 'boolean' | 'string';
  count: number;
  /** Numbers: their min, max and sum; booleans: min and max (false < true); strings: count only. */
  min: number | boolean;
  max: number | boolean;
  sum: number;
}

/** A series' readings in one minute: its fields' aggregates, by field name. */
type SeriesMinute = Map<string, FieldAggregate>;

/**
 * The 1-minute rollup of readings as they are stored, kept in memory by the ingest process that
 * stores them, by minute, hand-off partition and series — so that the minute need not be read back
 * from InfluxDB. Its points are those of InfluxDB's own `SELECT min(*), max(*), sum(*), count(*)
 * … GROUP BY time(1m), *` (rollups.ts) over the same readings: `min_f`, `max_f`, `sum_f` as floats
 * and `count_f` as an integer for a number, `min_f`, `max_f` (booleans) and `count_f` for a
 * boolean, `count_f` for a string. Pure; which minutes and partitions are complete is the caller's.
 */
export class MinuteAggregates {
  private readonly minutes = new Map<number, Map<number, Map<string, SeriesMinute>>>();

  /**
   * Adds a device's readings: `times[i]` (epoch ms) with `rows[i]` the values of `fields` (null
   * where absent), under `seriesKey` (measurement and tags, escaped, as its lines have them).
   * Readings before `fromMs` are left out (their minute is no longer kept).
   */
  add(
    partition: number,
    seriesKey: string,
    fields: readonly string[],
    times: readonly number[],
    rows: ReadonlyArray<ReadonlyArray<FieldValue | null>>,
    fromMs: number,
  ): void {
    for (let i = 0; i < times.length; i++) {
      const ms = times[i];
      if (ms < fromMs) continue;
      const series = this.seriesMinute(Math.floor(ms / MINUTE_MS) * MINUTE_MS, partition, seriesKey);
      const row = rows[i] ?? [];
      for (let f = 0; f < fields.length; f++) {
        const value = row[f];
        if (value !== null && value !== undefined) addValue(series, fields[f], value);
      }
    }
  }

  /** The minutes held, oldest first. */
  heldMinutes(): number[] {
    return [...this.minutes.keys()].sort((a, b) => a - b);
  }

  /**
   * Forgets the minute starting at `minuteMs`, returning the rollup lines of the partitions
   * `complete` says yes to (the rest are dropped: InfluxDB computes those).
   */
  take(minuteMs: number, complete: (partition: number) => boolean): string[] {
    const partitions = this.minutes.get(minuteMs);
    this.minutes.delete(minuteMs);
    const lines: string[] = [];
    if (!partitions) return lines;
    const timeNs = `${minuteMs}000000`;
    for (const [partition, series] of partitions) {
      if (!complete(partition)) continue;
      for (const [seriesKey, fields] of series) {
        const fieldSet = rollupFieldSet(fields);
        if (fieldSet !== '') lines.push(`${seriesKey} ${fieldSet} ${timeNs}`);
      }
    }
    return lines;
  }

  private seriesMinute(minuteMs: number, partition: number, seriesKey: string): SeriesMinute {
    let partitions = this.minutes.get(minuteMs);
    if (!partitions) this.minutes.set(minuteMs, (partitions = new Map<number, Map<string, SeriesMinute>>()));
    let series = partitions.get(partition);
    if (!series) partitions.set(partition, (series = new Map<string, SeriesMinute>()));
    let fields = series.get(seriesKey);
    if (!fields) series.set(seriesKey, (fields = new Map<string, FieldAggregate>()));
    return fields;
  }
}

function addValue(series: SeriesMinute, field: string, value: FieldValue): void {
  const kind = typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : 'string';
  const aggregate = series.get(field);
  if (!aggregate) {
    series.set(field, {
      kind,
      count: 1,
      min: value as number,
      max: value as number,
      sum: kind === 'number' ? (value as number) : 0,
    });
    return;
  }
  if (aggregate.kind !== kind) return;
  aggregate.count++;
  if (kind === 'string') return;
  if (value < aggregate.min) aggregate.min = value as number | boolean;
  if (value > aggregate.max) aggregate.max = value as number | boolean;
  if (kind === 'number') aggregate.sum += value as number;
}

/** The fields of a rollup point, as InfluxDB's INTO names and types them. */
function rollupFieldSet(fields: SeriesMinute): string {
  const parts: string[] = [];
  for (const [name, aggregate] of fields) {
    const key = (prefix: string) => escapeTag(`${prefix}_${name}`) + '=';
    if (aggregate.kind !== 'string') {
      const min = formatFieldValue(aggregate.min);
      const max = formatFieldValue(aggregate.max);
      if (min !== undefined) parts.push(key('min') + min);
      if (max !== undefined) parts.push(key('max') + max);
    }
    if (aggregate.kind === 'number') {
      const sum = formatFieldValue(aggregate.sum);
      if (sum !== undefined) parts.push(key('sum') + sum);
    }
    parts.push(key('count') + aggregate.count + 'i');
  }
  return parts.join(',');
}
