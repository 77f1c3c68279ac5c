import 'reflect-metadata';
import { hostname } from 'node:os';
import { validateSync } from 'class-validator';
import { EnvSchema } from './env.schema.js';
import type { AppConfig } from './app-config.js';
import { OPTIONAL_PORT_VARIABLES, toTransportConfig, transportProblems } from './mqtt-transport.js';
import { deviceCertificateProblems, toDeviceCertificatesConfig } from './device-certificates.js';
import { firmwareProblems, toFirmwareConfig } from './firmware.js';
import { toRetentionConfig } from './retention.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Room in an MQTT packet for its fixed header, topic and message id next to the payload. */
const PACKET_OVERHEAD_BYTES = 1024;

/**
 * Reads, converts and validates the environment in one pass, so a bad start names every bad
 * variable and its value at once instead of failing on the first one used.
 */
export function loadConfig(env: Env = process.env): AppConfig {
  const schema = new EnvSchema();
  const problems: string[] = [];
  for (const key of Object.keys(schema) as Array<keyof EnvSchema>) {
    const raw = env[key];
    if (raw === undefined || raw === '') continue;
    const current = schema[key];
    if (typeof current === 'number' || OPTIONAL_PORT_VARIABLES.has(key)) {
      const parsed = Number(raw);
      if (!Number.isFinite(parsed)) {
        problems.push(`${key}=${JSON.stringify(raw)}: must be a number`);
        continue;
      }
      (schema as unknown as Record<string, unknown>)[key] = parsed;
    } else {
      (schema as unknown as Record<string, unknown>)[key] = raw;
    }
  }
  if (env.CP_INSTANCE_ID) schema.CP_INSTANCE_ID = env.CP_INSTANCE_ID;

  for (const error of validateSync(schema)) {
    const value = (schema as unknown as Record<string, unknown>)[error.property];
    const rules = Object.values(error.constraints ?? {}).join('; ');
    problems.push(`${error.property}=${JSON.stringify(value)}: ${rules}`);
  }
  // A packet limit without room for the largest payload plus its topic would close connections
  // that deserve a payload_too_large answer, or refuse valid readings outright.
  const packetFloor = schema.CP_MAX_PAYLOAD_BYTES + PACKET_OVERHEAD_BYTES;
  if (problems.length === 0 && schema.CP_MQTT_MAX_PACKET_BYTES < packetFloor) {
    problems.push(
      `CP_MQTT_MAX_PACKET_BYTES=${schema.CP_MQTT_MAX_PACKET_BYTES}: must be at least CP_MAX_PAYLOAD_BYTES ` +
        `+ ${PACKET_OVERHEAD_BYTES} (${packetFloor})`,
    );
  }
  const badPort = parseNodes(schema.CP_REDIS_CLUSTER_NODES).find((node) => node.port < 1 || node.port > 65535);
  if (badPort)
    problems.push(
      `CP_REDIS_CLUSTER_NODES=${JSON.stringify(schema.CP_REDIS_CLUSTER_NODES)}: port ${badPort.port} ` +
        `of ${badPort.host} is not 1-65535`,
    );
  if (problems.length === 0) problems.push(...transportProblems(schema));
  if (problems.length === 0) problems.push(...deviceCertificateProblems(schema));
  if (problems.length === 0) problems.push(...firmwareProblems(schema));
  if (problems.length > 0) throw new ConfigError(problems);
  return toAppConfig(schema);
}

function toAppConfig(e: EnvSchema): AppConfig {
  return {
    instanceId: e.CP_INSTANCE_ID ?? `${hostname()}-${process.pid}`,
    logLevel: e.CP_LOG_LEVEL,
    apps: new Set(e.CP_APPS.split(',') as Array<'broker' | 'ingest' | 'alerts' | 'api'>),
    redis: {
      url: e.CP_REDIS_URL,
      prefix: e.CP_REDIS_PREFIX,
      clusterNodes: parseNodes(e.CP_REDIS_CLUSTER_NODES),
      clusterRefreshMs: e.CP_REDIS_CLUSTER_REFRESH_MS,
    },
    influx: {
      url: e.CP_INFLUX_URL,
      api: e.CP_INFLUX_API,
      database: e.CP_INFLUX_DB,
      org: e.CP_INFLUX_ORG,
      bucket: e.CP_INFLUX_BUCKET,
      token: e.CP_INFLUX_TOKEN,
      gzipThresholdBytes: e.CP_INFLUX_GZIP_THRESHOLD_BYTES,
    },
    retention: toRetentionConfig(e),
    mqtt: {
      host: e.CP_MQTT_HOST,
      port: e.CP_MQTT_PORT,
      maxPacketBytes: e.CP_MQTT_MAX_PACKET_BYTES,
      maxParsedReadings: e.CP_MQTT_MAX_PARSED_READINGS,
      connectTimeoutMs: e.CP_MQTT_CONNECT_TIMEOUT_MS,
      maxKeepaliveS: e.CP_MQTT_MAX_KEEPALIVE_S,
      cluster: e.CP_MQTT_CLUSTER,
      redisUrl: e.CP_MQTT_REDIS_URL || e.CP_REDIS_URL,
      transport: toTransportConfig(e),
    },
    http: { host: e.CP_HTTP_HOST, port: e.CP_HTTP_PORT, adminToken: e.CP_API_TOKEN },
    health: { port: e.CP_HEALTH_PORT },
    telemetry: {
      maxPayloadBytes: e.CP_MAX_PAYLOAD_BYTES,
      maxBatchReadings: e.CP_MAX_BATCH_READINGS,
      maxFutureSkewMs: e.CP_MAX_FUTURE_SKEW_MS,
      maxPastAgeMs: e.CP_MAX_PAST_AGE_MS,
    },
    telemetryExport: { maxRows: e.CP_EXPORT_MAX_ROWS },
    sharing: { liveTickMs: e.CP_SHARE_LIVE_TICK_MS },
    handoff: {
      maxEntryReadings: e.CP_HANDOFF_MAX_ENTRY_READINGS,
      maxBacklogReadings: e.CP_HANDOFF_MAX_BACKLOG_READINGS,
      partitions: e.CP_HANDOFF_PARTITIONS,
      leaseMs: e.CP_HANDOFF_LEASE_MS,
      durability: e.CP_HANDOFF_DURABILITY,
      waitReplicas: e.CP_HANDOFF_WAIT_REPLICAS,
      waitTimeoutMs: e.CP_HANDOFF_WAIT_TIMEOUT_MS,
    },
    ingest: {
      maxBatchLines: e.CP_INGEST_MAX_BATCH_LINES,
      lingerMs: e.CP_INGEST_LINGER_MS,
      maxLingerMs: Math.max(e.CP_INGEST_LINGER_MS, e.CP_INGEST_MAX_LINGER_MS),
      ruleFeedMs: e.CP_INGEST_RULE_FEED_MS,
      concurrency: e.CP_INGEST_CONCURRENCY,
    },
    alerts: {
      allowedLatenessMs: e.CP_ALERT_ALLOWED_LATENESS_MS,
      deadmanIntervalMs: e.CP_ALERT_DEADMAN_INTERVAL_MS,
      renotifyCheckMs: e.CP_ALERT_RENOTIFY_CHECK_MS,
      ruleJobsKept: e.CP_RULE_JOBS_KEPT,
      ruleFeedsKeptS: e.CP_RULE_FEEDS_KEPT_S,
    },
    indicators: {
      file: e.CP_INDICATORS_FILE,
      intervalMs: e.CP_INDICATOR_INTERVAL_MS,
      settleMs: e.CP_INDICATOR_SETTLE_MS,
    },
    notifications: {
      attempts: e.CP_NOTIFY_ATTEMPTS,
      backoffMs: e.CP_NOTIFY_BACKOFF_MS,
      timeoutMs: e.CP_NOTIFY_TIMEOUT_MS,
      allowPrivateTargets: e.CP_WEBHOOK_ALLOW_PRIVATE === 'true',
      ...(e.CP_SECRETS_KEY && { secretsKey: parseSecretsKey(e.CP_SECRETS_KEY) }),
      consoleUrl: e.CP_CONSOLE_URL.replace(/\/+$/, ''),
    },
    provisioning: {
      secretScryptN: e.CP_SECRET_SCRYPT_N,
      bulkSecretScryptN: e.CP_BULK_SECRET_SCRYPT_N,
      bulkMaxDevices: e.CP_BULK_MAX_DEVICES,
    },
    deviceCertificates: toDeviceCertificatesConfig(e),
    connectLimits: {
      windowS: e.CP_AUTH_FAIL_WINDOW_S,
      maxPerAddress: e.CP_AUTH_FAIL_MAX_PER_ADDRESS,
      maxPerDevice: e.CP_AUTH_FAIL_MAX_PER_DEVICE,
    },
    cityRate: {
      readingsPerS: e.CP_CITY_MAX_READINGS_PER_S,
      overrides: parseCityRates(e.CP_CITY_READINGS_PER_S_OVERRIDES),
      maxHoldMs: e.CP_CITY_RATE_MAX_HOLD_MS,
      blockMs: e.CP_CITY_RATE_BLOCK_MS,
    },
    loginProofs: { ttlS: e.CP_LOGIN_PROOF_TTL_S },
    presence: { heartbeatMs: e.CP_BROKER_HEARTBEAT_MS },
    commands: {
      defaultTimeoutS: e.CP_COMMAND_DEFAULT_TIMEOUT_S,
      maxTimeoutS: e.CP_COMMAND_MAX_TIMEOUT_S,
      keepPerDevice: e.CP_COMMAND_KEEP_PER_DEVICE,
      keepAfterDeadlineS: e.CP_COMMAND_KEEP_AFTER_DEADLINE_S,
    },
    jobs: {
      tickMs: e.CP_JOBS_TICK_MS,
      lockMs: e.CP_JOBS_LOCK_MS,
      maxBatch: e.CP_JOBS_MAX_BATCH,
      maxDevices: e.CP_JOBS_MAX_DEVICES,
    },
    deviceMessages: { maxPayloadBytes: e.CP_DEVICE_MESSAGE_MAX_BYTES },
    firmware: toFirmwareConfig(e),
  };
}

/** CP_SECRETS_KEY (format already validated): 64 hex digits, else base64 or base64url of 32 bytes. */
function parseSecretsKey(text: string): Buffer {
  return /^[0-9a-fA-F]{64}$/.test(text)
    ? Buffer.from(text, 'hex')
    : Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/**
 * "10.0.0.1:7000,10.0.0.2:7000" (format already validated) → [{ host, port }…]; the port is what follows the last
 * colon.
 */
function parseNodes(text: string): Array<{ host: string; port: number }> {
  return text
    .split(',')
    .filter(Boolean)
    .map((node) => {
      const colon = node.lastIndexOf(':');
      return { host: node.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port: Number(node.slice(colon + 1)) };
    });
}

/** "beijing=80000,tianjin=20000" (format already validated) → { beijing: 80000, tianjin: 20000 }. */
function parseCityRates(text: string): Record<string, number> {
  const rates: Record<string, number> = {};
  for (const pair of text.split(',').filter(Boolean)) {
    const [city, rate] = pair.split('=');
    rates[city] = Number(rate);
  }
  return rates;
}
