import { deviceTypes } from '@citypulse/devices';
import { quoteIdent, quoteString, type InfluxQueryClient, type Row } from '@citypulse/storage';
import { valuesOf } from '../backtest/influx-source.js';
import type { CaptureLine } from './capture-format.js';
import { CaptureSpool } from './capture-spool.js';
import type { CaptureSummary } from './capture-writer.js';

export interface StoredHistory {
  fromMs: number;
  toMs: number;
  cities: readonly string[];
  /** Only these device types; every type when absent. */
  types?: readonly string[];
  /** Time read per query. @defaultValue 1 hour */
  chunkMs?: number;
  /**
   * Points per query within a chunk (LIMIT/OFFSET), so a busy hour does not arrive as one response. @defaultValue 10000
   */
  pageSize?: number;
}

/**
 * Builds a capture from readings stored in InfluxDB: every point of the cities' devices (of the
 * types asked for) in [fromMs, toMs), in time order across measurements, one publish each —
 * `{ts, values}` at the point's own time, `t` = that time. Streamed: an hour at a time, a page of
 * points per query, one page per measurement in memory. What the broker rejected was never
 * stored, so such a capture replays only the accepted readings.
 */
export async function captureFromInflux(
  influx: InfluxQueryClient,
  history: StoredHistory,
  path: string,
  onLine?: (line: CaptureLine) => void,
): Promise<CaptureSummary> {
  const spool = await CaptureSpool.open();
  try {
    const measurements = [
      ...new Set(
        Object.values(deviceTypes)
          .filter((t) => !history.types || history.types.includes(t.name))
          .map((t) => t.measurement),
      ),
    ].sort();
    for await (const row of mergeByTime(measurements.map((m) => storedRows(influx, m, history)))) {
      const deviceType = String(row.device_type);
      const t = timeOf(row);
      const line: CaptureLine = {
        t,
        deviceId: String(row.device_id),
        type: deviceType,
        city: String(row.city),
        site: String(row.site),
        topic: 'telemetry',
        payload: JSON.stringify({ ts: t, values: valuesOf(row) }),
      };
      await spool.write(line);
      onLine?.(line);
    }
  } catch (err) {
    await spool.discard();
    throw err;
  }
  return spool.finish(path, {
    source: 'influx',
    options: {
      cities: history.cities,
      ...(history.types ? { types: history.types } : {}),
      from: new Date(history.fromMs).toISOString(),
      to: new Date(history.toMs).toISOString(),
    },
    startMs: history.fromMs,
    endMs: history.toMs,
  });
}

/** One measurement's matching points in time order, a chunk of time and a page of points per query. */
async function* storedRows(
  influx: InfluxQueryClient,
  measurement: string,
  history: StoredHistory,
): AsyncGenerator<Row> {
  const chunkMs = history.chunkMs ?? 3_600_000;
  const pageSize = history.pageSize ?? 10_000;
  for (let from = history.fromMs; from < history.toMs; from += chunkMs) {
    const to = Math.min(history.toMs, from + chunkMs);
    for (let offset = 0; ; offset += pageSize) {
      const rows = await influx.query(`${select(measurement, from, to, history)} LIMIT ${pageSize} OFFSET ${offset}`, {
        epoch: 'ms',
      });
      yield* rows;
      if (rows.length < pageSize) break;
    }
  }
}

function select(measurement: string, fromMs: number, toMs: number, history: StoredHistory): string {
  const anyOf = (tag: string, values: readonly string[]) =>
    `(${values.map((v) => `${quoteIdent(tag)} = ${quoteString(v)}`).join(' OR ')})`;
  const where = [`time >= ${fromMs}ms`, `time < ${toMs}ms`, anyOf('city', history.cities)];
  if (history.types) where.push(anyOf('device_type', history.types));
  return `SELECT * FROM ${quoteIdent(measurement)} WHERE ${where.join(' AND ')} ORDER BY time ASC`;
}

/** Merges streams each in time order into one (ties: the earlier stream first). */
async function* mergeByTime(streams: Array<AsyncGenerator<Row>>): AsyncGenerator<Row> {
  const heads = await Promise.all(streams.map((s) => s.next()));
  for (;;) {
    let next = -1;
    for (let i = 0; i < heads.length; i++) {
      if (heads[i].done) continue;
      if (next < 0 || timeOf(heads[i].value as Row) < timeOf(heads[next].value as Row)) next = i;
    }
    if (next < 0) return;
    yield heads[next].value as Row;
    heads[next] = await streams[next].next();
  }
}

/** Rows are read with `epoch: 'ms'`: their time is a number. */
function timeOf(row: Row): number {
  return row.time as unknown as number;
}
