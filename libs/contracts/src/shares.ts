/*
 * Live data through sharing agreements: what the API's share publisher computes from the offering
 * city's stored telemetry and puts on one Redis channel, which the API's SSE streams and the
 * brokers (MQTT `shares/…` topics for operators' tools) read. A message carries only what the
 * agreement gives: aggregates for an aggregate-only share, per-site or per-district totals for a
 * totals share, readings only for a raw share.
 */

export interface SharedSource {
  /** The offering city. */
  city: string;
  /** The agreement. */
  share: string;
}

/** Mean/min/max of one shared field over one whole interval (`time` is its start), for an aggregate-only share. */
export interface SharedAggregateMessage {
  kind: 'aggregate';
  source: SharedSource;
  deviceType: string;
  field: string;
  every: string;
  point: { time: string; mean: number; min: number; max: number };
}

/** Readings of one shared field that arrived since the last message, for a raw share. */
export interface SharedReadingsMessage {
  kind: 'readings';
  source: SharedSource;
  deviceType: string;
  field: string;
  readings: Array<{ time: string; deviceId: string; site: string | null; value: number }>;
}

/**
 * One interval's total over a group of the offering city's devices (a site, or a district: a group of sites): the sum
 * and mean of each device's mean in the interval, and how many devices reported — never a device's value or id.
 */
export type SharedTotal = { time: string; sum: number; mean: number; devices: number } & (
  { site: string } | { district: string }
);

/**
 * Totals of whole closed intervals that are new or changed since the last message, for a site-totals or
 * district-totals share; a group with fewer reporting devices than the share's minimum is never in one.
 */
export interface SharedTotalsMessage {
  kind: 'totals';
  source: SharedSource;
  deviceType: string;
  field: string;
  every: string;
  /** What each total is over: `site` totals carry `site`, `district` totals carry `district`. */
  by: 'site' | 'district';
  totals: SharedTotal[];
}

export type SharedLiveMessage = SharedAggregateMessage | SharedReadingsMessage | SharedTotalsMessage;

/** Redis pub/sub channel of live shared messages. */
export function sharedLiveChannel(prefix: string): string {
  return `${prefix}:shares:live`;
}

/**
 * Where operators' tools get a share's live messages over MQTT: `shares/{share id}/{device type}/{field}`,
 * so a tool subscribes to `shares/{id}/#` or one field. Outside `devices/`: no device may subscribe here.
 */
export const SHARE_TOPIC_ROOT = 'shares';

export function shareTopic(message: Pick<SharedLiveMessage, 'source' | 'deviceType' | 'field'>): string {
  // Ids, type and field names are slugs; anything MQTT-special is replaced so it cannot become a level or wildcard.
  return [SHARE_TOPIC_ROOT, message.source.share, message.deviceType, message.field]
    .map((level) => level.replace(/[/+#]/g, '_'))
    .join('/');
}
