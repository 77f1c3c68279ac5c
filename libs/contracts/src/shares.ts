/*
 * Live data through sharing agreements: what the API's share publisher computes from the offering
 * city's stored telemetry and puts on one Redis channel, which the API's SSE streams and the
 * brokers (MQTT `shares/…` topics for operators' tools) read. A message carries only what the
 * agreement gives: aggregates for an aggregate-only share, readings only for a raw share.
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

export type SharedLiveMessage = SharedAggregateMessage | SharedReadingsMessage;

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
