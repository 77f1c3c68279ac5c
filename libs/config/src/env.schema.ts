import { IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, ValidateIf } from 'class-validator';

/** scrypt's N must be a power of two; below 1024 it stops being memory-hard in any useful sense. */
/** A retention duration as InfluxQL takes it: whole hours, days or weeks, or INF (kept forever). */
const RETENTION_PATTERN = /^(?:INF|[1-9]\d{0,5}[hdw])$/;
const RETENTION_MESSAGE = 'must be a whole number of h, d or w (e.g. 30d, 26w) or INF';

const SCRYPT_COSTS = Array.from({ length: 11 }, (_, i) => 1024 << i);

/**
 * Every environment variable citypulse reads, with its default. Nothing else reads `process.env`.
 * Property names are the variable names so a validation error names the variable as the operator
 * typed it. Defaults are the local stack's (scripts/stack.sh) project ports.
 */
export class EnvSchema {
  /** Redis for the registry, hand-off stream and BullMQ. @defaultValue redis://127.0.0.1:16379 */
  @IsUrl({ protocols: ['redis', 'rediss'], require_tld: false })
  CP_REDIS_URL = 'redis://127.0.0.1:16379';

  /** Prefix of every Redis key and BullMQ queue; lets several deployments or tests share one Redis. @defaultValue cp */
  @Matches(/^[a-zA-Z0-9_-]{1,40}$/)
  CP_REDIS_PREFIX = 'cp';

  /**
   * A Redis Cluster instead of the one Redis at CP_REDIS_URL: some of its nodes as host:port,
   * comma-separated (the rest are discovered). Empty: CP_REDIS_URL. @defaultValue empty
   */
  @Matches(/^$|^[A-Za-z0-9.\-[\]:]+:\d{1,5}(,[A-Za-z0-9.\-[\]:]+:\d{1,5})*$/, {
    message: 'must be host:port[,host:port…], e.g. 127.0.0.1:17001,127.0.0.1:17002',
  })
  CP_REDIS_CLUSTER_NODES = '';

  /**
   * How often a process checks the Redis Cluster's slot map (ms): one CLUSTER SLOTS over an existing
   * connection; only when the map changed does every cluster connection of the process re-read it.
   * A failover reaches connections that no command redirects within this time. @defaultValue 15000
   */
  @IsInt()
  @Min(1000)
  @Max(600_000)
  CP_REDIS_CLUSTER_REFRESH_MS = 15_000;

  /** InfluxDB (1.x, 2.x, 3.x) or a v2-write-compatible server. @defaultValue http://127.0.0.1:18086 */
  @IsUrl({ protocols: ['http', 'https'], require_tld: false })
  CP_INFLUX_URL = 'http://127.0.0.1:18086';

  /** Which write API to speak: v1 (/write), v2 (/api/v2/write) or auto (ask the server's /ping). @defaultValue auto */
  @IsIn(['auto', 'v1', 'v2'])
  CP_INFLUX_API: 'auto' | 'v1' | 'v2' = 'auto';

  /** v1 database; also the v1-compatible query database on 2.x/3.x. @defaultValue citypulse */
  @Matches(/^[a-zA-Z0-9_-]{1,64}$/)
  CP_INFLUX_DB = 'citypulse';

  /** v2 organisation. @defaultValue citypulse */
  @IsString()
  CP_INFLUX_ORG = 'citypulse';

  /** v2 bucket. @defaultValue citypulse */
  @IsString()
  CP_INFLUX_BUCKET = 'citypulse';

  /** v2 token (or v1 "user:password"); empty for an unauthenticated server. @defaultValue empty */
  @IsString()
  CP_INFLUX_TOKEN = '';

  /**
   * Gzip write bodies larger than this many bytes; 0 disables. Off by default: on loopback gzip
   * costs 15-27 % of write throughput (docs/storage.md); across a network (9x smaller bodies) it pays.
   * @defaultValue 0
   */
  @IsInt()
  @Min(0)
  CP_INFLUX_GZIP_THRESHOLD_BYTES = 0;

  /**
   * How long raw readings are kept (InfluxDB 1.x: the database's default retention policy, the one
   * readings are written to): a whole number of h, d or w, or INF. At least 1h. @defaultValue 30d
   */
  @Matches(RETENTION_PATTERN, { message: RETENTION_MESSAGE })
  CP_RETENTION_RAW = '30d';

  /**
   * How long the 1-minute rollups (mean, min, max, sum, count per field) are kept (retention policy rollup_1m).
   * @defaultValue 180d
   */
  @Matches(RETENTION_PATTERN, { message: RETENTION_MESSAGE })
  CP_RETENTION_1M = '180d';

  /** How long the 1-hour rollups are kept (retention policy rollup_1h). @defaultValue 260w (about 5 years) */
  @Matches(RETENTION_PATTERN, { message: RETENTION_MESSAGE })
  CP_RETENTION_1H = '260w';

  /**
   * true: an ingest process sets up retention and rollups on InfluxDB 1.x at start (retention
   * policies, continuous queries; idempotent). false: they are managed outside citypulse, which
   * then only reads the rollups when they exist. @defaultValue true
   */
  @IsIn(['true', 'false'])
  CP_RETENTION_MANAGE: 'true' | 'false' = 'true';

  /** MQTT TCP listener. @defaultValue 11883 */
  @IsInt()
  @Min(0)
  @Max(65535)
  CP_MQTT_PORT = 11883;

  /**
   * `false` closes the plain TCP listener (CP_MQTT_PORT), leaving only TLS and/or WebSocket; then at least one of those
   * ports must be set. @defaultValue true
   */
  @IsIn(['true', 'false'])
  CP_MQTT_PLAIN: 'true' | 'false' = 'true';

  /**
   * MQTT over TLS listener (1.2 or newer), e.g. 8883; unset = no TLS listener. Needs CP_MQTT_TLS_CERT and
   * CP_MQTT_TLS_KEY. @defaultValue unset
   */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(65535)
  CP_MQTT_TLS_PORT?: number = undefined;

  /** MQTT over WebSocket listener (path /mqtt); unset = none. @defaultValue unset */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(65535)
  CP_MQTT_WS_PORT?: number = undefined;

  /** MQTT over secure WebSocket (wss, path /mqtt, same certificate as TLS); unset = none. @defaultValue unset */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(65535)
  CP_MQTT_WSS_PORT?: number = undefined;

  /** PEM certificate (chain) the TLS and WSS listeners present; reloaded when the file changes. @defaultValue unset */
  @IsString()
  CP_MQTT_TLS_CERT = '';

  /** PEM private key of CP_MQTT_TLS_CERT; reloaded with it. @defaultValue unset */
  @IsString()
  CP_MQTT_TLS_KEY = '';

  /**
   * CAs whose client certificates log devices in without a secret (TLS and WSS listeners): one PEM file for
   * every city (`/etc/citypulse/ca.pem`) or one per city (`beijing:/p/bj.pem,tianjin:/p/tj.pem`).
   * @defaultValue unset (no certificate login)
   */
  @Matches(/^$|^[^,:]+$|^[a-z0-9][a-z0-9-]{0,39}:[^,:]+(,[a-z0-9][a-z0-9-]{0,39}:[^,:]+)*$/, {
    message: 'must be one PEM path, or city:path pairs separated by commas (beijing:/p/bj.pem,tianjin:/p/tj.pem)',
  })
  CP_MQTT_TLS_CA = '';

  /** MQTT listen address. @defaultValue 127.0.0.1 */
  @IsString()
  CP_MQTT_HOST = '127.0.0.1';

  /**
   * Largest MQTT packet the broker reads; a packet that declares more closes the connection before
   * its bytes are buffered (MQTT allows 256 MB). At least CP_MAX_PAYLOAD_BYTES + 1024 (topic and
   * header), so a payload between the two still gets payload_too_large on the device's error topic.
   * @defaultValue 262144
   */
  @IsInt()
  @Min(1024)
  @Max(268_435_455)
  CP_MQTT_MAX_PACKET_BYTES = 262_144;

  /**
   * Most telemetry readings the broker holds parsed and not yet handed off, all connections
   * together; while it holds that many, a connection's next bytes wait unparsed in its socket
   * (TCP back-pressure) until readings are handed off. Keeps in-flight readings few and
   * short-lived, which is what keeps the broker's garbage collection cheap under load.
   * @defaultValue 1000
   */
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  CP_MQTT_MAX_PARSED_READINGS = 1000;

  /**
   * A connection that has not completed its CONNECT within this time is closed (slow or half-open clients).
   * @defaultValue 10000
   */
  @IsInt()
  @Min(100)
  @Max(600_000)
  CP_MQTT_CONNECT_TIMEOUT_MS = 10_000;

  /**
   * Longest keep-alive the broker holds a connection to: a CONNECT asking 0 (never time out) or more
   * gets this, and a connection silent for 1.5 × it is closed (MQTT 3.1.1 has no way to tell the
   * client, so firmware should ask at most this). @defaultValue 300
   */
  @IsInt()
  @Min(1)
  @Max(65_535)
  CP_MQTT_MAX_KEEPALIVE_S = 300;

  /**
   * How brokers share MQTT state. `none`: one broker on its own, subscriptions and sessions in
   * memory (fastest). `redis`: brokers behind a load balancer share the topic tree
   * (mqemitter-redis) and sessions, subscriptions and queued QoS 1 messages
   * (aedes-persistence-redis) through CP_REDIS_URL, under CP_REDIS_PREFIX. @defaultValue none
   */
  @IsIn(['none', 'redis'])
  CP_MQTT_CLUSTER: 'none' | 'redis' = 'none';

  /**
   * With CP_MQTT_CLUSTER=redis: the one Redis server holding the brokers' shared topic tree
   * (pub/sub) and MQTT sessions. Empty: CP_REDIS_URL — also when the rest runs on a Redis Cluster
   * (CP_REDIS_CLUSTER_NODES): the topic tree needs pattern subscriptions, which a cluster has only
   * as classic pub/sub, broadcast to every shard (README "Scaling out"). @defaultValue empty
   */
  @ValidateIf((o: EnvSchema) => o.CP_MQTT_REDIS_URL !== '')
  @IsUrl({ protocols: ['redis', 'rediss'], require_tld: false })
  CP_MQTT_REDIS_URL = '';

  /** HTTP API listener. @defaultValue 13000 */
  @IsInt()
  @Min(0)
  @Max(65535)
  CP_HTTP_PORT = 13000;

  /** HTTP listen address. @defaultValue 127.0.0.1 */
  @IsString()
  CP_HTTP_HOST = '127.0.0.1';

  /**
   * Health and metrics listener of processes that do not run the api (GET /health, /metrics); 0 picks a free port.
   * @defaultValue 9464
   */
  @IsInt()
  @Min(0)
  @Max(65535)
  CP_HEALTH_PORT = 9464;

  /** Admin bearer token for the HTTP API (kept only as a hash in memory). Required. */
  @IsString()
  @Matches(/^\S{16,}$/, { message: 'CP_API_TOKEN must be at least 16 non-space characters' })
  CP_API_TOKEN = '';

  /** Largest accepted telemetry payload. @defaultValue 65536 */
  @IsInt()
  @Min(64)
  @Max(16 * 1024 * 1024)
  CP_MAX_PAYLOAD_BYTES = 65536;

  /**
   * Most rows one GET /telemetry/export may return (also the most its `limit` may ask); an export
   * matching more is refused with a 400 naming `limit` before any row is sent. @defaultValue 1000000
   */
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  CP_EXPORT_MAX_ROWS = 1_000_000;

  /**
   * How often live shared data is computed from the stored telemetry (each accepted share's new
   * readings or closed aggregate intervals, to SSE and MQTT), and how often live shared streams
   * check their agreement: a revoked or expired share's streams end within about this. @defaultValue 2000
   */
  @IsInt()
  @Min(50)
  @Max(60_000)
  CP_SHARE_LIVE_TICK_MS = 2000;

  /** Most readings in one batch publish. @defaultValue 1000 */
  @IsInt()
  @Min(1)
  @Max(100000)
  CP_MAX_BATCH_READINGS = 1000;

  /**
   * How far a device clock may run ahead of the broker's. Also how long an ingest process must have
   * held a hand-off partition (plus 5 s) before it writes that partition's 1-minute rollup itself
   * (README, Retention and rollups). @defaultValue 300000 (5 min)
   */
  @IsInt()
  @Min(0)
  CP_MAX_FUTURE_SKEW_MS = 300_000;

  /** Oldest accepted device timestamp (backfill window). @defaultValue 604800000 (7 days) */
  @IsInt()
  @Min(0)
  CP_MAX_PAST_AGE_MS = 7 * 24 * 3600 * 1000;

  /** Most readings in one hand-off stream entry. @defaultValue 1000 */
  @IsInt()
  @Min(1)
  @Max(100000)
  CP_HANDOFF_MAX_ENTRY_READINGS = 1000;

  /** Hand-off backlog (readings not yet in InfluxDB) above which PUBACKs are held back. @defaultValue 2000000 */
  @IsInt()
  @Min(1000)
  CP_HANDOFF_MAX_BACKLOG_READINGS = 2_000_000;

  /**
   * Hand-off partitions: one Redis stream each (its own hash tag, so they spread over a Redis
   * Cluster), a device's readings always in the same one. More partitions than ingest processes;
   * change it only with an empty hand-off. @defaultValue 16
   */
  @IsInt()
  @Min(1)
  @Max(1024)
  CP_HANDOFF_PARTITIONS = 16;

  /**
   * How long an ingest process's lease on a partition lasts unrenewed: a dead process's partitions move after this.
   * @defaultValue 10000
   */
  @IsInt()
  @Min(500)
  @Max(600_000)
  CP_HANDOFF_LEASE_MS = 10_000;

  /**
   * What a PUBACK promises about a host crash (README "Durability levels"). `everysec`: the readings are in
   * Redis, whose AOF is fsynced every second — a power loss of the Redis host can lose the last
   * second. `always`: Redis must run with `appendfsync always` (checked at start; the broker refuses
   * to start otherwise). `replica`: after each hand-off write the broker waits (WAIT) until
   * CP_HANDOFF_WAIT_REPLICAS replicas have it; if they do not within CP_HANDOFF_WAIT_TIMEOUT_MS the
   * publishes get no PUBACK and the devices send them again. @defaultValue everysec
   */
  @IsIn(['everysec', 'always', 'replica'])
  CP_HANDOFF_DURABILITY: 'everysec' | 'always' | 'replica' = 'everysec';

  /** Replicas that must have a hand-off write before its PUBACK (CP_HANDOFF_DURABILITY=replica). @defaultValue 1 */
  @IsInt()
  @Min(1)
  @Max(16)
  CP_HANDOFF_WAIT_REPLICAS = 1;

  /**
   * Longest wait for those replicas; past it the write's publishes fail (no PUBACK) and are counted. @defaultValue 1000
   */
  @IsInt()
  @Min(1)
  @Max(60_000)
  CP_HANDOFF_WAIT_TIMEOUT_MS = 1000;

  /** Lines per InfluxDB write. @defaultValue 5000 */
  @IsInt()
  @Min(1)
  @Max(100000)
  CP_INGEST_MAX_BATCH_LINES = 5000;

  /**
   * How long ingest waits for more hand-off entries to fill a write of CP_INGEST_MAX_BATCH_LINES (bigger writes: +5 %
   * throughput at 200 ms vs 50 ms). @defaultValue 200
   */
  @IsInt()
  @Min(0)
  @Max(10_000)
  CP_INGEST_LINGER_MS = 200;

  /**
   * CP_INGEST_LINGER_MS is the linger of an ingest process holding every hand-off partition; one
   * holding a share 1/s lingers s times as long, up to this, so batches (InfluxDB writes, rule jobs)
   * stay as large however many processes share the partitions. Set it to CP_INGEST_LINGER_MS for a
   * fixed linger. @defaultValue 1000
   */
  @IsInt()
  @Min(0)
  @Max(60_000)
  CP_INGEST_MAX_LINGER_MS = 1000;

  /**
   * Rules are not held to the linger above: the readings read from the hand-off go to rule
   * evaluation at most this long after the first of them was read (or as soon as a write's worth of
   * lines, CP_INGEST_MAX_BATCH_LINES, waits). Read rounds within it share rule jobs, so a device's
   * readings are evaluated together: each job loads and saves a device's rule state once. @defaultValue 100
   */
  @IsInt()
  @Min(0)
  @Max(10_000)
  CP_INGEST_RULE_FEED_MS = 100;

  /**
   * InfluxDB writes in flight per ingest worker (hand-off batches written at once), yet passed to rule evaluation in
   * the order read (one reader per partition). Reading goes on for a few batches beyond them, so a stalled write
   * does not hold the rules up (apps/ingest READ_AHEAD_BATCHES). @defaultValue 2
   */
  @IsInt()
  @Min(1)
  @Max(64)
  CP_INGEST_CONCURRENCY = 2;

  /**
   * Finished rule-evaluation jobs kept in Redis for a look (GET /queues, the queue board), the oldest
   * trimmed beyond this count. Redis writes every one it keeps again each time it rewrites its
   * append-only file (every second or two at full rate): when jobs held their readings (~40 KB per
   * 1,000; now beside them, CP_RULE_FEEDS_KEPT_S), 1,000 kept were 95 % of Redis's data in the ingest
   * bench and the rewrites about 8 % of a core. @defaultValue 100
   */
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  CP_RULE_JOBS_KEPT = 100;

  /**
   * A rule-evaluation job's readings live in a Redis key of their own beside the job (BullMQ's
   * scripts would copy them into Lua and out again, twice per job): deleted once evaluated, or kept
   * this many seconds more for a look (the scale-out checks read every job's readings). @defaultValue 0
   */
  @IsInt()
  @Min(0)
  @Max(604_800)
  CP_RULE_FEEDS_KEPT_S = 0;

  /** Late readings within this window still update alert state (never backwards). @defaultValue 60000 */
  @IsInt()
  @Min(0)
  CP_ALERT_ALLOWED_LATENESS_MS = 60_000;

  /**
   * How often the deadman check looks for devices that stopped reporting (a scheduled BullMQ job). @defaultValue 15000
   */
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  CP_ALERT_DEADMAN_INTERVAL_MS = 15_000;

  /** How often open alerts are checked for a due re-notification (rules with renotifySeconds). @defaultValue 15000 */
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  CP_ALERT_RENOTIFY_CHECK_MS = 15_000;

  /** A JSON file of cluster indicator definitions (README "Cluster indicators"); '' for none. @defaultValue '' */
  @IsString()
  CP_INDICATORS_FILE = '';

  /**
   * How often every cluster indicator is computed from what the cities share (a scheduled BullMQ job). @defaultValue
   * 60000
   */
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  CP_INDICATOR_INTERVAL_MS = 60_000;

  /**
   * An indicator's window ends this long before the computation, so readings still on their way
   * into InfluxDB (ingest batches, network) are in it. @defaultValue 5000
   */
  @IsInt()
  @Min(0)
  @Max(600_000)
  CP_INDICATOR_SETTLE_MS = 5000;

  /** Attempts per webhook delivery before it is kept as failed (retryable through the API). @defaultValue 8 */
  @IsInt()
  @Min(1)
  @Max(100)
  CP_NOTIFY_ATTEMPTS = 8;

  /** First retry delay of a webhook delivery; doubles per attempt (BullMQ exponential backoff). @defaultValue 1000 */
  @IsInt()
  @Min(1)
  @Max(3_600_000)
  CP_NOTIFY_BACKOFF_MS = 1000;

  /** Time a webhook receiver has to answer. @defaultValue 10000 */
  @IsInt()
  @Min(100)
  @Max(120_000)
  CP_NOTIFY_TIMEOUT_MS = 10_000;

  /**
   * `true` lets webhooks target loopback, private (RFC 1918, fc00::/7), link-local, CGNAT and
   * cloud-metadata addresses, e.g. a receiver on the same host or network. Off, they are refused
   * when created and again, after DNS resolution, at every delivery. @defaultValue false
   */
  @IsIn(['true', 'false'])
  CP_WEBHOOK_ALLOW_PRIVATE: 'true' | 'false' = 'false';

  /**
   * AES-256-GCM key (64 hex digits or 32 bytes base64) that encrypts notification channels'
   * secrets in Redis (SMTP passwords, chat webhook URLs). Empty: channels holding a secret are
   * refused (a secret may still be given as a reference, `env:NAME`). `npm start` generates one
   * into .stack/secrets-key. @defaultValue empty
   */
  @Matches(/^$|^[0-9a-fA-F]{64}$|^[A-Za-z0-9+/_-]{43}=?$/, { message: 'must be 64 hex digits or 32 bytes in base64' })
  CP_SECRETS_KEY = '';

  /**
   * The console's address as people reach it: notifications link to the alert there. @defaultValue
   * http://localhost:13000/console
   */
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true })
  CP_CONSOLE_URL = 'http://localhost:13000/console';

  /**
   * scrypt cost N of a device secret issued one at a time (POST /devices, rotate). Secrets are 192
   * random bits, so the cost guards CPU budget more than the secret; recorded in each hash.
   * @defaultValue 16384
   */
  @IsIn(SCRYPT_COSTS, { message: 'must be a power of two from 1024 to 1048576' })
  CP_SECRET_SCRYPT_N = 16384;

  /**
   * scrypt cost N of secrets issued by bulk provisioning: 10,000 hashes at N=16384 take minutes
   * on two cores (and so does the first CONNECT of each), at 1024 about 15 s. @defaultValue 1024
   */
  @IsIn(SCRYPT_COSTS, { message: 'must be a power of two from 1024 to 1048576' })
  CP_BULK_SECRET_SCRYPT_N = 1024;

  /**
   * Most devices in one POST /devices/bulk. The devices are written in one atomic Redis script,
   * during which Redis serves nobody else: ~15 ms per 1,000 devices. @defaultValue 20000
   */
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  CP_BULK_MAX_DEVICES = 20_000;

  /**
   * Private keys (PEM) of the device CAs of CP_MQTT_TLS_CA, with which the API signs devices' CSRs
   * (POST /devices/:id/certificate): one path when CP_MQTT_TLS_CA is one path, else city:path pairs
   * naming the same cities. Read from these files only, never stored elsewhere.
   * @defaultValue unset (the API registers certificates but does not sign)
   */
  @Matches(/^$|^[^,:]+$|^[a-z0-9][a-z0-9-]{0,39}:[^,:]+(,[a-z0-9][a-z0-9-]{0,39}:[^,:]+)*$/, {
    message: 'must be one PEM path, or city:path pairs separated by commas (beijing:/p/bj.key,tianjin:/p/tj.key)',
  })
  CP_DEVICE_CA_KEY = '';

  /** Validity of a device certificate the API signs, in days. @defaultValue 365 */
  @IsInt()
  @Min(1)
  @Max(3650)
  CP_DEVICE_CERT_DAYS = 365;

  /** Window of the failed-CONNECT counters (per client address and per device id, in Redis). @defaultValue 60 */
  @IsInt()
  @Min(1)
  @Max(86_400)
  CP_AUTH_FAIL_WINDOW_S = 60;

  /** Failed CONNECTs from one address within the window before it is refused (CONNACK 3). @defaultValue 10 */
  @IsInt()
  @Min(1)
  CP_AUTH_FAIL_MAX_PER_ADDRESS = 10;

  /**
   * Failed CONNECTs for one device id (from any address) within the window before only cached secrets pass.
   * @defaultValue 20
   */
  @IsInt()
  @Min(1)
  CP_AUTH_FAIL_MAX_PER_DEVICE = 20;

  /**
   * How long a login proof lives in Redis unused (each CONNECT it admits renews it): after scrypt
   * verified a device's secret once, any broker admits that secret for the same credential version
   * without scrypt (a restart or a move to another broker costs a digest, not scrypt). 0 = off:
   * only the verifying broker's memory remembers. @defaultValue 2592000 (30 days)
   */
  @IsInt()
  @Min(0)
  @Max(31_536_000)
  CP_LOGIN_PROOF_TTL_S = 2_592_000;

  /**
   * Accepted telemetry readings per second per city, for all brokers together, before PUBACKs are held back; 0 =
   * unlimited. @defaultValue 50000
   */
  @IsInt()
  @Min(0)
  CP_CITY_MAX_READINGS_PER_S = 50_000;

  /**
   * Per-city exceptions to CP_CITY_MAX_READINGS_PER_S, e.g. "beijing=80000,tianjin=20000" (0 = unlimited).
   * @defaultValue empty
   */
  @Matches(/^$|^[a-z0-9][a-z0-9-]{0,39}=\d+(,[a-z0-9][a-z0-9-]{0,39}=\d+)*$/)
  CP_CITY_READINGS_PER_S_OVERRIDES = '';

  /**
   * Longest a city over its rate holds a PUBACK back; a publish needing longer is rejected with city_rate_limited.
   * @defaultValue 2000
   */
  @IsInt()
  @Min(0)
  @Max(60_000)
  CP_CITY_RATE_MAX_HOLD_MS = 2000;

  /**
   * Size of the blocks of a city's budget a broker takes from Redis at once, in milliseconds of the
   * city's rate (at least one reading): one Redis call per block, never per reading. All brokers
   * together stay within the city's rate plus one block each. @defaultValue 50
   */
  @IsInt()
  @Min(1)
  @Max(10_000)
  CP_CITY_RATE_BLOCK_MS = 50;

  /**
   * How often a broker renews its liveness in Redis; a broker silent for 3 periods has its devices marked offline by
   * the others. @defaultValue 5000
   */
  @IsInt()
  @Min(100)
  @Max(600_000)
  CP_BROKER_HEARTBEAT_MS = 5000;

  /**
   * Deadline of a device command when the request gives none (POST /devices/:id/commands timeoutS). @defaultValue 60
   */
  @IsInt()
  @Min(1)
  @Max(604_800)
  CP_COMMAND_DEFAULT_TIMEOUT_S = 60;

  /** Longest deadline a command may ask for; an offline device gets a command until then. @defaultValue 86400 */
  @IsInt()
  @Min(1)
  @Max(604_800)
  CP_COMMAND_MAX_TIMEOUT_S = 86_400;

  /** Commands kept per device (newest); issuing one more deletes the oldest. @defaultValue 100 */
  @IsInt()
  @Min(1)
  @Max(10_000)
  CP_COMMAND_KEEP_PER_DEVICE = 100;

  /** How long a command's record is kept after its deadline. @defaultValue 604800 (7 days) */
  @IsInt()
  @Min(60)
  CP_COMMAND_KEEP_AFTER_DEADLINE_S = 604_800;

  /**
   * How often each live fleet job is advanced (outcomes collected, more devices released); also the job SSE's update
   * period. @defaultValue 1000
   */
  @IsInt()
  @Min(20)
  @Max(60_000)
  CP_JOBS_TICK_MS = 1000;

  /**
   * How long a fleet-job tick may hold its job before another worker takes over (a crashed worker's hold lapses).
   * @defaultValue 30000
   */
  @IsInt()
  @Min(500)
  @Max(600_000)
  CP_JOBS_LOCK_MS = 30_000;

  /** Most devices a fleet job releases in one tick, whatever its rate. @defaultValue 500 */
  @IsInt()
  @Min(1)
  @Max(20_000)
  CP_JOBS_MAX_BATCH = 500;

  /** Most devices one fleet job may select. @defaultValue 100000 */
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  CP_JOBS_MAX_DEVICES = 100_000;

  /** Largest payload a device may publish on its state or command-acks topic. @defaultValue 4096 */
  @IsInt()
  @Min(256)
  @Max(262_144)
  CP_DEVICE_MESSAGE_MAX_BYTES = 4096;

  /** Where uploaded firmware images are kept (created on the first upload). @defaultValue .firmware */
  @IsString()
  @Matches(/\S/)
  CP_FIRMWARE_DIR = '.firmware';

  /** S3-compatible bucket for firmware images; set: images go there instead of CP_FIRMWARE_DIR. @defaultValue unset */
  @IsString()
  CP_FIRMWARE_S3_BUCKET = '';

  /**
   * URL of the S3-compatible service (MinIO, Ceph, R2…), e.g. http://127.0.0.1:9000; empty: AWS S3 of
   * CP_FIRMWARE_S3_REGION. @defaultValue empty
   */
  @IsString()
  CP_FIRMWARE_S3_ENDPOINT = '';

  /** Region the requests are signed for (most S3-compatible services accept any). @defaultValue us-east-1 */
  @IsString()
  @Matches(/^[a-z0-9-]+$/, { message: 'must be a region name such as us-east-1' })
  CP_FIRMWARE_S3_REGION = 'us-east-1';

  /**
   * Access key of the bucket; with CP_FIRMWARE_S3_SECRET_ACCESS_KEY, or neither (the AWS SDK's default credentials).
   * @defaultValue unset
   */
  @IsString()
  CP_FIRMWARE_S3_ACCESS_KEY_ID = '';

  /** Secret of CP_FIRMWARE_S3_ACCESS_KEY_ID. No rule that could print it in a start-up error. @defaultValue unset */
  @IsString()
  CP_FIRMWARE_S3_SECRET_ACCESS_KEY = '';

  /**
   * `true`: http://endpoint/bucket/key (what MinIO and most self-hosted stores expect); `false`:
   * http://bucket.endpoint/key. @defaultValue true
   */
  @IsIn(['true', 'false'])
  CP_FIRMWARE_S3_FORCE_PATH_STYLE: 'true' | 'false' = 'true';

  /** Prepended to every image's object key, e.g. `firmware/`, to share a bucket. @defaultValue empty */
  @IsString()
  @Matches(/^$|^[A-Za-z0-9!_.*'()-][A-Za-z0-9!_.*'()/-]{0,255}$/, {
    message: "may hold only letters, digits, !_.*'()-/ and may not start with /",
  })
  CP_FIRMWARE_S3_KEY_PREFIX = '';

  /**
   * Largest firmware image an upload may carry; a larger one is refused (413) without being kept. @defaultValue
   * 67108864 (64 MiB)
   */
  @IsInt()
  @Min(1)
  @Max(4 * 1024 ** 3)
  CP_FIRMWARE_MAX_BYTES = 64 * 1024 ** 2;

  /**
   * PEM public key (Ed25519, ECDSA or RSA) that checks images' detached signatures; unset = uploads cannot carry a
   * signature. @defaultValue unset
   */
  @IsString()
  CP_FIRMWARE_SIGNING_PUBLIC_KEY = '';

  /**
   * `true`: an upload without a valid signature is refused (needs CP_FIRMWARE_SIGNING_PUBLIC_KEY). @defaultValue false
   */
  @IsIn(['true', 'false'])
  CP_FIRMWARE_REQUIRE_SIGNATURE: 'true' | 'false' = 'false';

  /**
   * How long a firmware-update command's download token is accepted (at least until the command's deadline).
   * @defaultValue 900
   */
  @IsInt()
  @Min(10)
  @Max(604_800)
  CP_FIRMWARE_TOKEN_TTL_S = 900;

  /**
   * Key of the download tokens' HMAC; shared by every api process. Empty: derived from CP_API_TOKEN. @defaultValue
   * empty
   */
  @IsString()
  CP_FIRMWARE_TOKEN_SECRET = '';

  /**
   * Base URL devices download images from (the API as devices reach it). Empty: http://<CP_HTTP_HOST (CP_MQTT_HOST when
   * that is 0.0.0.0)>:<the API port>. @defaultValue empty
   */
  @IsString()
  CP_FIRMWARE_PUBLIC_URL = '';

  /**
   * Deadline of a firmware-update command when the request gives none: downloading and installing take longer than
   * other commands. @defaultValue 1800
   */
  @IsInt()
  @Min(1)
  @Max(604_800)
  CP_FIRMWARE_UPDATE_TIMEOUT_S = 1800;

  /** pino level. @defaultValue info */
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  CP_LOG_LEVEL = 'info';

  /** Which apps the all-in-one process runs. @defaultValue broker,ingest,alerts,api */
  @Matches(/^(broker|ingest|alerts|api)(,(broker|ingest|alerts|api))*$/)
  CP_APPS = 'broker,ingest,alerts,api';

  /** Name of this process in logs, metrics and Redis consumer groups. @defaultValue hostname-pid */
  @IsOptional()
  @IsString()
  CP_INSTANCE_ID?: string;
}
