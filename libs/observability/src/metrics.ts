import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { PlainHistogram } from './plain-histogram.js';

/**
 * Every counter citypulse keeps, in one registry per process. Telegraf's buffer model:
 * each reading is counted as accepted, rejected (with reason) or still pending.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly mqttConnections = new Gauge({
    name: 'citypulse_mqtt_connections',
    help: 'Connected MQTT clients',
    registers: [this.registry],
  });
  /** PUBLISH packets from clients, by topic kind (telemetry, state, command-acks; other: refused topics). */
  readonly mqttMessagesReceived = new Counter({
    name: 'citypulse_mqtt_messages_received_total',
    help: 'PUBLISH packets received from MQTT clients, by topic kind',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  /** Messages written to subscribers (each subscriber counts once), by the kind of client receiving. */
  readonly mqttMessagesDelivered = new Counter({
    name: 'citypulse_mqtt_messages_delivered_total',
    help: 'Messages delivered to subscribed MQTT clients, by client kind (device, operator)',
    labelNames: ['client'],
    registers: [this.registry],
  });
  readonly authFailures = new Counter({
    name: 'citypulse_mqtt_auth_failures_total',
    help: 'Refused MQTT CONNECTs',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly unauthorized = new Counter({
    name: 'citypulse_mqtt_unauthorized_total',
    help: 'Refused publish/subscribe by topic',
    labelNames: ['action'],
    registers: [this.registry],
  });
  readonly readingsAccepted = new Counter({
    name: 'citypulse_readings_accepted_total',
    help: 'Readings validated and handed off',
    registers: [this.registry],
  });
  readonly readingsRejected = new Counter({
    name: 'citypulse_readings_rejected_total',
    help: 'Readings rejected, by reason',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly handoffBacklog = new Gauge({
    name: 'citypulse_handoff_backlog_readings',
    help: 'Readings handed off but not yet stored',
    registers: [this.registry],
  });
  /**
   * CP_HANDOFF_DURABILITY=replica: hand-off writes too few replicas confirmed in time; their publishes got no PUBACK.
   */
  readonly handoffReplicaTimeouts = new Counter({
    name: 'citypulse_handoff_replica_timeouts_total',
    help:
      'Hand-off writes not confirmed by CP_HANDOFF_WAIT_REPLICAS replicas within CP_HANDOFF_WAIT_TIMEOUT_MS ' +
      '(their publishes got no PUBACK)',
    registers: [this.registry],
  });
  readonly readingsStored = new Counter({
    name: 'citypulse_readings_stored_total',
    help: 'Readings written to InfluxDB',
    registers: [this.registry],
  });
  readonly readingsDropped = new Counter({
    name: 'citypulse_readings_dropped_total',
    help: 'Readings InfluxDB refused as bad points',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly influxWriteRetries = new Counter({
    name: 'citypulse_influx_write_retries_total',
    help: 'Retried InfluxDB writes',
    labelNames: ['status'],
    registers: [this.registry],
  });
  readonly influxWriteBatches = new Counter({
    name: 'citypulse_influx_write_batches_total',
    help: 'Batches written to InfluxDB (retries and splits included in one batch)',
    registers: [this.registry],
  });
  readonly influxWriteErrors = new Counter({
    name: 'citypulse_influx_write_errors_total',
    help: 'Failed InfluxDB write attempts, by HTTP status (network: no response)',
    labelNames: ['status'],
    registers: [this.registry],
  });
  readonly influxWriteSeconds = new Histogram({
    name: 'citypulse_influx_write_seconds',
    help: 'InfluxDB batch write latency',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  /**
   * Reading time (device or receive time) to InfluxDB acknowledging the write: end-to-end freshness.
   * Observed once per reading, so a PlainHistogram (prom-client's cost ~0.1 µs per reading).
   */
  readonly readingStoreDelay = new PlainHistogram(
    'citypulse_reading_store_delay_seconds',
    'Time from a reading’s timestamp to its write being acknowledged by InfluxDB',
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30, 60],
    this.registry,
  );
  readonly ruleReadingsOutOfOrder = new Counter({
    name: 'citypulse_rule_readings_out_of_order_total',
    help: 'Readings evaluated after a newer reading of the same device (a job evaluated out of order, or redelivered)',
    registers: [this.registry],
  });
  readonly ruleOrderWaitsGivenUp = new Counter({
    name: 'citypulse_rule_order_waits_given_up_total',
    help:
      'Rule-evaluation jobs evaluated without their predecessors finished (after waiting 5 s for a predecessor ' +
      'that failed, is retried or stalled)',
    registers: [this.registry],
  });
  readonly alertTransitions = new Counter({
    name: 'citypulse_alert_transitions_total',
    help: 'Alert transitions',
    labelNames: ['kind', 'severity'],
    registers: [this.registry],
  });
  readonly notifications = new Counter({
    name: 'citypulse_notifications_total',
    help: 'Webhook delivery attempts, by outcome (delivered, retry, give_up)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly notificationFailures = new Counter({
    name: 'citypulse_notification_failures_total',
    help:
      'Notifications that failed for good (attempts used up, or refused), by channel kind (webhook, email, ' +
      'slack, teams, mattermost, mqtt); marked on the alert as deliveryFailedAt',
    labelNames: ['channel'],
    registers: [this.registry],
  });
  readonly deadmanCheckSeconds = new Histogram({
    name: 'citypulse_deadman_check_seconds',
    help: 'Duration of one deadman check job (up to 1000 overdue devices)',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly deadmanOverdue = new Gauge({
    name: 'citypulse_deadman_overdue_devices',
    help: 'Devices past the shortest deadman window at the last deadman tick',
    registers: [this.registry],
  });

  readonly connectRateLimited = new Counter({
    name: 'citypulse_mqtt_connect_rate_limited_total',
    help: 'CONNECTs refused (CONNACK 3) because too many failed from that address or for that device id',
    labelNames: ['scope'],
    registers: [this.registry],
  });
  /**
   * How device secrets were checked at CONNECT: memory (this broker verified it before), proof (a login proof any
   * broker stored in Redis), scrypt (the full, slow verification).
   */
  readonly deviceSecretChecks = new Counter({
    name: 'citypulse_device_secret_checks_total',
    help: 'Device secrets checked at CONNECT, by how: memory, proof (shared in Redis) or scrypt',
    labelNames: ['by'],
    registers: [this.registry],
  });
  readonly mqttReadPauses = new Counter({
    name: 'citypulse_mqtt_read_pauses_total',
    help: 'Times a connection’s next bytes waited unparsed: the broker held CP_MQTT_MAX_PARSED_READINGS readings',
    registers: [this.registry],
  });
  readonly cityRateLimited = new Counter({
    name: 'citypulse_city_rate_limited_readings_total',
    help: 'Readings over their city’s rate: held (PUBACK delayed) or shed (rejected with city_rate_limited)',
    labelNames: ['city', 'outcome'],
    registers: [this.registry],
  });
  readonly presenceChanges = new Counter({
    name: 'citypulse_presence_changes_total',
    help: 'Devices going online or offline, by reason',
    labelNames: ['state', 'reason'],
    registers: [this.registry],
  });
  readonly tlsReloads = new Counter({
    name: 'citypulse_mqtt_tls_reloads_total',
    help:
      'Reloads of the broker’s TLS certificate, key and device CAs after their files changed, by outcome (ok; ' +
      'failed: the previous ones stay)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly mqttConnectionErrors = new Counter({
    name: 'citypulse_mqtt_connection_errors_total',
    help:
      'MQTT connections the broker ended for misbehaving, by kind (packet_too_large, malformed_packet, ' +
      'connect_timeout, keepalive_timeout, protocol_violation, socket, tls_handshake)',
    labelNames: ['kind'],
    registers: [this.registry],
  });

  readonly deviceMessagesRejected = new Counter({
    name: 'citypulse_device_messages_rejected_total',
    help: 'Refused publishes on state and command-acks topics, by topic kind and reason',
    labelNames: ['kind', 'reason'],
    registers: [this.registry],
  });
  readonly deviceDeliveries = new Counter({
    name: 'citypulse_device_deliveries_total',
    help: 'Desired configs and commands sent to devices',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  readonly commandTransitions = new Counter({
    name: 'citypulse_command_transitions_total',
    help: 'Device commands reaching a status (pending, delivered, succeeded, failed, timed-out)',
    labelNames: ['status'],
    registers: [this.registry],
  });

  constructor(collectDefaults = true) {
    if (collectDefaults) collectDefaultMetrics({ register: this.registry });
  }
}
