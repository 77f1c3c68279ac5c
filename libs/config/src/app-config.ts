import type { DeviceCertificatesConfig } from './device-certificates.js';
import type { MqttTransportConfig } from './mqtt-transport.js';
import type { FirmwareConfig } from './firmware.js';
import type { RetentionConfig } from './retention.js';

/** The typed configuration every process receives. Built once by `loadConfig`. */
export interface AppConfig {
  instanceId: string;
  logLevel: string;
  apps: ReadonlySet<'broker' | 'ingest' | 'alerts' | 'api'>;
  /** clusterNodes: a Redis Cluster's seed nodes (CP_REDIS_CLUSTER_NODES); empty for the one Redis at `url`. */
  redis: { url: string; prefix: string; clusterNodes: Array<{ host: string; port: number }>; clusterRefreshMs: number };
  influx: {
    url: string;
    api: 'auto' | 'v1' | 'v2';
    database: string;
    org: string;
    bucket: string;
    token: string;
    gzipThresholdBytes: number;
  };
  /** How long raw readings and their rollups are kept (CP_RETENTION_*). */
  retention: RetentionConfig;
  /**
   * maxPacketBytes: larger packets close the connection unread; maxParsedReadings: readings held parsed
   * before hand-off, all connections together (more wait unparsed in their sockets); connectTimeoutMs: time allowed
   * from TCP connect to CONNECT; maxKeepaliveS: the keep-alive held to for 0 and longer asks; cluster:
   * `redis` when brokers share their MQTT state through Redis (at redisUrl: CP_MQTT_REDIS_URL, else
   * CP_REDIS_URL); transport: TLS, WebSocket and WSS listeners beside (or instead of) plain TCP.
   */
  mqtt: {
    host: string;
    port: number;
    maxPacketBytes: number;
    maxParsedReadings: number;
    connectTimeoutMs: number;
    maxKeepaliveS: number;
    cluster: 'none' | 'redis';
    redisUrl: string;
    transport: MqttTransportConfig;
  };
  http: { host: string; port: number; adminToken: string };
  /** Health/metrics listener for processes without the api. */
  health: { port: number };
  telemetry: {
    maxPayloadBytes: number;
    maxBatchReadings: number;
    maxFutureSkewMs: number;
    maxPastAgeMs: number;
  };
  /** GET /telemetry/export: maxRows, the most rows one export may return (CP_EXPORT_MAX_ROWS). */
  telemetryExport: { maxRows: number };
  /**
   * Live shared data (SSE, MQTT `shares/…`): liveTickMs, how often it is computed and agreements re-checked
   * (CP_SHARE_LIVE_TICK_MS).
   */
  sharing: { liveTickMs: number };
  /**
   * durability: what a PUBACK survives (CP_HANDOFF_DURABILITY); waitReplicas/waitTimeoutMs: the `replica` level's WAIT.
   */
  handoff: {
    maxEntryReadings: number;
    maxBacklogReadings: number;
    partitions: number;
    leaseMs: number;
    durability: 'everysec' | 'always' | 'replica';
    waitReplicas: number;
    waitTimeoutMs: number;
  };
  ingest: { maxBatchLines: number; lingerMs: number; maxLingerMs: number; ruleFeedMs: number; concurrency: number };
  alerts: {
    allowedLatenessMs: number;
    deadmanIntervalMs: number;
    renotifyCheckMs: number;
    /** Finished rule-evaluation jobs kept for a look (CP_RULE_JOBS_KEPT). */
    ruleJobsKept: number;
    /** How long a rule job's readings stay in Redis once evaluated, in seconds; 0: deleted (CP_RULE_FEEDS_KEPT_S). */
    ruleFeedsKeptS: number;
  };
  /**
   * Cluster indicators: the definitions file ('' none), how often they are computed, how long a window waits for late
   * readings.
   */
  indicators: { file: string; intervalMs: number; settleMs: number };
  /** Webhook deliveries. */
  notifications: {
    attempts: number;
    backoffMs: number;
    timeoutMs: number;
    allowPrivateTargets: boolean;
    /** CP_SECRETS_KEY: encrypts channels' secrets at rest; undefined = none configured. */
    secretsKey?: Buffer;
    /** CP_CONSOLE_URL, without a trailing slash: notifications link to `${consoleUrl}/#/alert/<id>`. */
    consoleUrl: string;
  };
  provisioning: { secretScryptN: number; bulkSecretScryptN: number; bulkMaxDevices: number };
  /** Signing devices' CSRs: the CA certificates and keys, and the validity of what is signed. */
  deviceCertificates: DeviceCertificatesConfig;
  /** Failed-CONNECT limits, counted in Redis so they hold across brokers. */
  connectLimits: { windowS: number; maxPerAddress: number; maxPerDevice: number };
  /**
   * Per-city token bucket on accepted readings, shared by all brokers in Redis (taken in blocks of `blockMs` of rate);
   * 0 = unlimited.
   */
  cityRate: { readingsPerS: number; overrides: Readonly<Record<string, number>>; maxHoldMs: number; blockMs: number };
  /** Proofs of verified device logins shared in Redis (0 = off: memory of the verifying broker only). */
  loginProofs: { ttlS: number };
  presence: { heartbeatMs: number };
  /** Device commands: deadlines and how many are kept. */
  commands: { defaultTimeoutS: number; maxTimeoutS: number; keepPerDevice: number; keepAfterDeadlineS: number };
  /** Fleet jobs: tick period, tick hold, devices per tick, devices per job. */
  jobs: { tickMs: number; lockMs: number; maxBatch: number; maxDevices: number };
  /** Payload limit of what devices publish on state and command-acks. */
  deviceMessages: { maxPayloadBytes: number };
  /** The firmware catalogue and over-the-air updates. */
  firmware: FirmwareConfig;
}
