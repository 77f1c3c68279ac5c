/** The variables a bench sets itself; every other CP_* of the environment reaches the service. */
const BENCH_OWNED = new Set([
  'CP_REDIS_URL',
  'CP_REDIS_PREFIX',
  'CP_INFLUX_URL',
  'CP_INFLUX_DB',
  'CP_API_TOKEN',
  'CP_LOG_LEVEL',
  'CP_MQTT_PORT',
  'CP_HTTP_PORT',
  'CP_HEALTH_PORT',
]);

export interface ServiceEnvOptions {
  redisUrl: string;
  redisPrefix: string;
  influxUrl: string;
  database: string;
  token: string;
  /** Pass the environment's other CP_* on (e.g. CP_INGEST_CONCURRENCY), so a run can be tuned from outside. */
  passThrough: boolean;
  /**
   * More variables the bench sets itself and so keeps out of the pass-through (e.g. CP_APPS when it lays the processes
   * out).
   */
  alsoOwned?: readonly string[];
  /** The broker's CP_MQTT_CLUSTER, when the bench sets it (the ingest bench's --cluster). */
  mqttCluster?: 'none' | 'redis';
}

/** The CP_* environment of the citypulse processes of one bench run: its own Redis prefix, database and token. */
export function serviceEnv(options: ServiceEnvOptions): Record<string, string> {
  return {
    ...(options.passThrough ? passedThroughEnv(options.alsoOwned ?? []) : {}),
    CP_REDIS_URL: options.redisUrl,
    CP_REDIS_PREFIX: options.redisPrefix,
    CP_INFLUX_URL: options.influxUrl,
    CP_INFLUX_DB: options.database,
    CP_LOG_LEVEL: 'warn',
    CP_API_TOKEN: options.token,
    ...(options.mqttCluster && { CP_MQTT_CLUSTER: options.mqttCluster }),
  };
}

function passedThroughEnv(alsoOwned: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (
      key.startsWith('CP_') &&
      !key.startsWith('CP_STACK_') &&
      !BENCH_OWNED.has(key) &&
      !alsoOwned.includes(key) &&
      value !== undefined
    )
      env[key] = value;
  }
  return env;
}
