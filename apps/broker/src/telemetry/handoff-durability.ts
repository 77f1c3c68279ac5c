import type { AppConfig } from '@citypulse/config';
import { checkDurability, replicaWait } from '@citypulse/handoff';
import type { Logger, Metrics } from '@citypulse/observability';
import { dataNodes, type RedisClient } from '@citypulse/redis';

/**
 * The hand-off's durability level at start: checks every data node's persistence settings
 * against CP_HANDOFF_DURABILITY (a contradiction stops the broker before it acknowledges
 * anything: a PUBACK must not promise more than Redis keeps), and returns the producer's
 * after-write step — WAIT for replicas at the `replica` level, nothing otherwise.
 */
export async function handoffDurability(
  redis: RedisClient,
  config: AppConfig,
  metrics: Metrics,
  logger: Logger,
): Promise<((key: string) => Promise<void>) | undefined> {
  const { durability, waitReplicas, waitTimeoutMs } = config.handoff;
  const { problems, warnings } = await checkDurability(await dataNodes(redis), durability, waitReplicas);
  for (const warning of warnings) logger.warn({ durability }, warning);
  if (problems.length > 0)
    throw new Error(
      `hand-off durability (CP_HANDOFF_DURABILITY=${durability}) not met:\n  - ${problems.join('\n  - ')}`,
    );
  logger.info(
    { durability, ...(durability === 'replica' ? { waitReplicas, waitTimeoutMs } : {}) },
    'hand-off durability',
  );
  if (durability !== 'replica') return undefined;
  return replicaWait(redis, {
    replicas: waitReplicas,
    timeoutMs: waitTimeoutMs,
    onTimeout: (acknowledged) => {
      metrics.handoffReplicaTimeouts.inc();
      logger.warn(
        { acknowledged, wanted: waitReplicas, timeoutMs: waitTimeoutMs },
        'hand-off write not confirmed by enough replicas in time: no PUBACK',
      );
    },
  });
}
