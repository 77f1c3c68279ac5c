import { createRequire } from 'node:module';
import type { Aedes } from 'aedes';
import { Redis, type RedisOptions } from 'ioredis';
import type { AppConfig } from '@citypulse/config';
import { connectRedis, type RedisClient } from '@citypulse/core';
import type { Logger } from '@citypulse/observability';
import { RouteIndexStore } from './route-index-store.js';
import { SubscriptionIndex } from './subscription-index.js';

/** The parts of mqemitter-redis used here (its own types name ioredis 5, whose class ours is not). */
interface MQEmitterRedisModule {
  MQEmitterRedisPrefix: new (
    channelPrefix: string,
    options: { pubConn: Redis; subConn: Redis; concurrency: number; matchEmptyLevels: boolean },
  ) => { close(done: () => void): void };
}

/** aedes-persistence-redis ships no types; aedes needs only the instance, and shutdown `destroy`. */
type RedisPersistenceFactory = (options: { conn: Redis }) => { destroy(): Promise<void> };

// Both are CommonJS without ESM entry points.
const require = createRequire(import.meta.url);

/** How long shutdown waits for the persistence to let go of Redis before it moves on. */
const DESTROY_TIMEOUT_MS = 2000;

/** What a broker shares with the other brokers of its deployment, if anything. */
export interface BrokerCluster {
  /** Whether other brokers see this one's subscriptions, sessions and publishes. */
  clustered: boolean;
  /** aedes' `mq` and `persistence`; empty for a broker alone (aedes' in-memory defaults). */
  aedesOptions: { mq?: unknown; persistence?: unknown };
  /** Clustered: the cluster-wide subscription index that decides which telemetry is routed. */
  index?: SubscriptionIndex;
  /** Joins the index (loads every broker's filters, listens for changes); before the listener opens. */
  start(broker: Aedes): Promise<void>;
  /** Leaves the index and lets go of the persistence's Redis connection; call after aedes.close(), which closes mq. */
  close(): Promise<void>;
}

/**
 * CP_MQTT_CLUSTER=redis: the topic tree goes through Redis pub/sub (mqemitter-redis), so a publish
 * on any broker reaches subscribers on every broker, and sessions, subscriptions, queued QoS 1
 * messages and wills live in Redis (aedes-persistence-redis), so a device reconnecting to another
 * broker finds its session. Channels and keys sit under `{CP_REDIS_PREFIX}:mqtt:`, so deployments
 * (and tests) sharing one Redis stay apart. `none` keeps everything in memory: faster, one broker.
 *
 * Both live on one Redis server, CP_MQTT_REDIS_URL (else CP_REDIS_URL), even when everything else
 * runs on a Redis Cluster: mqemitter-redis subscribes to MQTT wildcards as Redis patterns, which a
 * cluster offers only as classic pub/sub — every message broadcast to every shard, measured at
 * about 5× the Redis CPU of one server with three shards — and sharded pub/sub has no patterns.
 * Telemetry crosses only where someone subscribed (the subscription index, on the main Redis or
 * Cluster), so what is left for that server is small. README "Scaling out".
 */
export function createBrokerCluster(config: AppConfig, deps: { redis: RedisClient; logger: Logger }): BrokerCluster {
  if (config.mqtt.cluster === 'none')
    return { clustered: false, aedesOptions: {}, start: async () => undefined, close: async () => undefined };

  const namespace = `${config.redis.prefix}:mqtt:`;
  const { MQEmitterRedisPrefix } = require('mqemitter-redis') as MQEmitterRedisModule;
  const createPersistence = require('aedes-persistence-redis') as RedisPersistenceFactory;
  // The same emitter options aedes gives its in-memory one; '' matches an empty level [MQTT-4.7.1-3].
  // One server (CP_MQTT_REDIS_URL, else CP_REDIS_URL), never a Redis Cluster: see the doc above.
  const mqttRedis = (name: string, options: RedisOptions = {}) =>
    new Redis(config.mqtt.redisUrl, {
      connectionName: `${config.instanceId}:${name}`,
      enableAutoPipelining: true,
      ...options,
    });
  const mq = new MQEmitterRedisPrefix(namespace, {
    pubConn: mqttRedis('mqtt-cluster-pub'),
    subConn: mqttRedis('mqtt-cluster-sub'),
    concurrency: 100,
    matchEmptyLevels: true,
  });
  const persistenceRedis = mqttRedis('mqtt-persistence', { keyPrefix: namespace });
  // Host and port only: the URL may carry a password.
  const { host } = new URL(config.mqtt.redisUrl);
  deps.logger.info({ mqttStateRedis: host }, 'MQTT topic tree and sessions on one Redis server');
  const persistence = createPersistence({ conn: persistenceRedis });
  const index = new SubscriptionIndex({
    store: new RouteIndexStore(deps.redis, config.redis.prefix),
    subscriber: connectRedis(config, 'routing-index'),
    brokerId: config.instanceId,
    periodMs: config.presence.heartbeatMs,
    logger: deps.logger,
  });

  return {
    clustered: true,
    aedesOptions: { mq, persistence },
    index,
    start: (broker) => index.start(broker),
    async close() {
      await index
        .stop()
        .catch((err: Error) =>
          deps.logger.warn({ err }, 'could not remove this broker’s subscriptions from the routing index'),
        );
      // destroy() unsubscribes from the already closed emitter first; never let that hold shutdown up.
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<void>((resolve) => (timer = setTimeout(resolve, DESTROY_TIMEOUT_MS)));
      await Promise.race([persistence.destroy().catch(() => undefined), timedOut]);
      clearTimeout(timer);
      persistenceRedis.disconnect();
    },
  };
}
