import { quoteIdent, quoteString, type InfluxQueryClient, type Row } from '@citypulse/storage';
import type { TransitionsQuery } from './alert-queries.dto.js';

/**
 * Alert transitions from the `alerts` measurement in InfluxDB (every raise, acknowledgement,
 * escalation, resolution … as written by the alerts worker), newest first. Values from the
 * request are quoted, so they cannot change the query.
 */
export async function queryTransitions(
  influx: InfluxQueryClient,
  q: TransitionsQuery,
  cities?: readonly string[],
): Promise<Row[]> {
  const where: string[] = [];
  const tag = (name: string, value: string | undefined) =>
    value !== undefined && where.push(`${quoteIdent(name)} = ${quoteString(value)}`);
  tag('city', q.city);
  tag('device_id', q.deviceId);
  tag('rule_id', q.ruleId);
  tag('severity', q.severity);
  tag('event', q.event);
  if (cities)
    where.push(`(${cities.length > 0 ? cities.map((c) => `"city" = ${quoteString(c)}`).join(' OR ') : 'false'})`);
  if (q.from !== undefined) where.push(`time >= ${q.from}ms`);
  if (q.to !== undefined) where.push(`time <= ${q.to}ms`);
  const query =
    `SELECT * FROM "alerts"${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY time DESC ` +
    `LIMIT ${q.limit} OFFSET ${q.offset}`;
  try {
    return await influx.query(query);
  } catch (err) {
    // Before the first alert the measurement does not exist yet: no transitions, not an error.
    if (/measurement not found/i.test((err as Error).message)) return [];
    throw err;
  }
}
