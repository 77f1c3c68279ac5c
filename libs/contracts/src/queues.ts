/** BullMQ queue names. One place so producers and consumers cannot drift apart. */
export const QUEUES = {
  /** Batches of stored readings to evaluate against alert rules. */
  ruleEvaluation: 'rule-evaluation',
  /**
   * Alert lifecycle events to record (history in InfluxDB), announce (live stream, MQTT) and fan out to notifications.
   */
  alertEvents: 'alert-events',
  /** One webhook delivery per job, retried with exponential backoff; failed ones are kept for a retry. */
  notifications: 'notifications',
  /** Scheduled deadman and re-notification checks, and the computation of cluster indicators. */
  alertChecks: 'alert-checks',
  /** One delayed job per device command, due at its deadline: times it out unless the device answered. */
  commandTimeouts: 'command-timeouts',
  /** Fleet jobs: one job scheduler per live fleet job, each tick advancing it (libs/jobs). */
  fleetJobs: 'fleet-jobs',
  /**
   * Escalation steps of alerts under a city's escalation policy, each delayed until due; stop once the alert is
   * acknowledged or resolved.
   */
  escalations: 'escalations',
  /**
   * One delivery of one alert message to one of a city's channels (e-mail, chat, signed webhook, MQTT), retried with
   * backoff.
   */
  channelDeliveries: 'channel-deliveries',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

import type { PackedDeviceReadings } from './rule-job.js';
import type { FeedDevice } from './feed-device.js';

/** Stored readings to evaluate, grouped by device (a device appears once per job). */
export interface RuleEvaluationJob {
  /**
   * Where the readings are: a Redis string written before the job was added (`encodeJobFeed`,
   * libs/alert-store RuleJobFeeds), deleted once they were evaluated.
   */
  feedKey?: string;
  /** The readings as a job queued by an ingest worker from before `feedKey`: one part per device. */
  feed?: FeedDevice[];
  /** The readings as a job queued by an ingest worker from before `feed` carried them. */
  devices?: PackedDeviceReadings[];
  /**
   * The jobs the same ingest process added just before this one (its previous batch): evaluated
   * first, so a device's readings reach its rule state in order with several alerts workers.
   */
  after?: string[];
}

/** An alert event to record and announce; the alert itself is read when the job runs. */
export interface AlertEventJob {
  eventId: string;
  alertId: string;
}

/** One delivery of one alert event to one webhook. */
export interface NotificationJob {
  webhookId: string;
  /** The message as signed and sent (built once, so every retry sends the same bytes). */
  message: AlertMessage;
}

/** Escalation step `step` (0 = level 1, then the next levels, then repeats) of an alert; due when delayed. */
export interface EscalationJob {
  alertId: string;
  step: number;
}

/** One alert message to one city channel, as escalation step `step` (level `level`, 1-based) sent it. */
export interface ChannelDeliveryJob {
  city: string;
  channelId: string;
  alertId: string;
  step: number;
  level: number;
  message: AlertMessage;
  /** E-mail to these instead of the channel's recipients (the person on call). */
  recipients?: string[];
}

/** What operators' tools receive about an alert: on webhooks, the MQTT topic and the live stream. */
export interface AlertMessage {
  event: { id: string; kind: string; at: string; actor: string; note?: string; value?: number; detail?: string };
  alert: {
    id: string;
    ruleId: string;
    deviceId: string;
    deviceType: string;
    city: string;
    site: string;
    field: string;
    severity: string;
    state: string;
    description: string;
    openedAt: string;
    lastValue: number;
    peakValue: number;
    count: number;
    cause?: string;
    acknowledgedBy?: string;
    assignee?: string;
    escalatedFrom?: string[];
    escalatedTo?: string;
  };
}

/** Jobs of the alert-checks queue: a scheduled tick fans out into checks of at most a thousand devices. */
export type AlertCheckJob =
  | { kind: 'deadman-tick' }
  | { kind: 'deadman-check'; deviceIds: string[]; nowMs: number }
  | { kind: 'renotify-tick' }
  | { kind: 'indicators-tick' };

/** One tick of one fleet job. */
export interface FleetJobTick {
  jobId: string;
}

/** Due at a command's deadline (jobId = command id). */
export interface CommandTimeoutJob {
  commandId: string;
  deviceId: string;
}

/** Redis pub/sub channel of live alert messages (the API's event stream and the broker's MQTT forwarding listen). */
export function alertLiveChannel(prefix: string): string {
  return `${prefix}:alerts:live`;
}
