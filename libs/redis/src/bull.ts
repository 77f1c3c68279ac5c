import { Redis, type RedisOptions } from 'ioredis';
import { RedisConnection, Worker, createIORedisClient, type ConnectionOptions, type Job, type Processor } from 'bullmq';
import type { AppConfig } from '@citypulse/config';
import { clusterOptions, openCluster } from './redis-client.js';

/**
 * BullMQ key prefix, under the deployment's Redis prefix so tests and deployments stay apart, and
 * in braces: BullMQ's scripts touch several keys of a queue at once, so on a Redis Cluster all of
 * them must share one hash slot.
 */
export function bullPrefix(config: AppConfig): string {
  return `{${config.redis.prefix}:bull}`;
}

export interface BullWorkerOptions<T> {
  /** Jobs this process runs at once. */
  concurrency: number;
  /** Keep a day of per-minute completed/failed counts (GET /queues shows them); BullMQ keeps none by default. */
  keepMetrics?: boolean;
  /** The worker's name on the jobs it takes (which process ran a job). */
  name?: string;
  /** Every failed attempt, whether BullMQ retries it or keeps it failed: to log it. */
  onFailed: (job: Job<T> | undefined, err: Error) => void;
}

/**
 * A BullMQ worker on the deployment's Redis and prefix, started at once: every citypulse worker is
 * made here, so none forgets the prefix (its queue would silently be another one) or the cluster
 * connection.
 */
export function bullWorker<T>(
  config: AppConfig,
  queue: string,
  processor: Processor<T>,
  options: BullWorkerOptions<T>,
): Worker<T> {
  const worker = new Worker<T>(queue, processor, {
    ...(options.name && { name: options.name }),
    connection: bullConnection(config),
    prefix: bullPrefix(config),
    concurrency: options.concurrency,
    ...(options.keepMetrics && { metrics: { maxDataPoints: 60 * 24 } }),
  });
  worker.on('failed', options.onFailed);
  return worker;
}

/** Marks BullMQ connection options that must become a cluster connection (read by the factory below). */
const CLUSTER_NODES = 'citypulseClusterNodes';
const REFRESH_MS = 'citypulseClusterRefreshMs';

/**
 * The `connection` option of a BullMQ Queue or Worker. BullMQ opens (and closes) its own
 * connections from options, but from plain options it can only build a single-server client;
 * for a cluster the options carry the node list and the factory installed below builds an
 * ioredis `Cluster`, so BullMQ still owns — and closes — every connection it opens.
 */
export function bullConnection(config: AppConfig): ConnectionOptions {
  if (config.redis.clusterNodes.length === 0) return { url: config.redis.url };
  installClusterFactory();
  return {
    [CLUSTER_NODES]: config.redis.clusterNodes,
    [REFRESH_MS]: config.redis.clusterRefreshMs,
    connectionName: `${config.instanceId}:bull`,
  };
}

let installed = false;

function installClusterFactory(): void {
  if (installed) return;
  installed = true;
  const previous = RedisConnection.clientFactory;
  RedisConnection.clientFactory = (opts) => {
    // BullMQ's merged options (its defaults, ours, and maxRetriesPerRequest: null for blocking connections).
    const {
      [CLUSTER_NODES]: nodes,
      [REFRESH_MS]: refreshMs,
      url,
      ...rest
    } = opts as RedisOptions & {
      url?: string;
      [CLUSTER_NODES]?: Array<{ host: string; port: number }>;
      [REFRESH_MS]?: number;
    };
    if (nodes) {
      const { connectionName, host: _h, port: _p, retryStrategy: _r, ...redisOptions } = rest;
      return createIORedisClient(
        openCluster(nodes, clusterOptions(connectionName ?? 'bull', redisOptions), refreshMs ?? 15_000, 'follower'),
      );
    }
    if (previous) return previous(opts);
    return createIORedisClient(url ? new Redis(url, rest) : new Redis(rest));
  };
}
