import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { RedisClient } from '@citypulse/redis';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { LOGGER, connectRedis } from '@citypulse/core';
import { LastSeenIndex, ruleStateKey } from '@citypulse/alert-store';
import { parseControlEvent, RegistryKeys } from '@citypulse/registry';
import type { Logger } from '@citypulse/observability';

/**
 * How long a deleted device's readings may still be on their way to the rules (hand-off backlog,
 * rule-evaluation queue) and are dropped. Past it, a device provisioned again under the same id is
 * evaluated afresh.
 */
const REMEMBER_MS = 10 * 60_000;

/**
 * Devices deleted (the registry's `deleted` event) in the last minutes, so readings taken before
 * the deletion but evaluated after it do not bring the device's rule state (or alerts) back:
 * deleting a device removes its rule state, yet under load readings of it can still sit in the
 * hand-off or the rule queue. On the event this process remembers the id and then deletes the
 * rule state and last-seen entry itself; a rule job that read the state before then finds its
 * WATCH broken and re-decides, by when the id is remembered and the device is skipped. Each
 * alerts process keeps its own list: the event reaches all of them.
 */
@Injectable()
export class DeletedDevices implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly deletedAt = new Map<string, number>();
  private subscriber?: RedisClient;
  private redis?: RedisClient;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Whether the device was deleted within the last REMEMBER_MS. */
  has(deviceId: string, nowMs = Date.now()): boolean {
    const at = this.deletedAt.get(deviceId);
    return at !== undefined && nowMs - at < REMEMBER_MS;
  }

  /** Remembers a deletion (oldest first out once expired). */
  remember(deviceId: string, nowMs = Date.now()): void {
    this.deletedAt.delete(deviceId);
    this.deletedAt.set(deviceId, nowMs);
    // Insertion order is deletion order: drop the expired ones from the front.
    for (const [id, at] of this.deletedAt) {
      if (nowMs - at < REMEMBER_MS) break;
      this.deletedAt.delete(id);
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    const prefix = this.config.redis.prefix;
    const channel = new RegistryKeys(prefix).controlChannel;
    const redis = (this.redis = connectRedis(this.config, 'deleted-devices'));
    const lastSeen = new LastSeenIndex(redis, prefix);
    this.subscriber = connectRedis(this.config, 'deleted-devices-events');
    this.subscriber.on('message', (from: string, message: string) => {
      const event = from === channel ? parseControlEvent(message) : undefined;
      if (event?.kind !== 'deleted') return;
      this.remember(event.deviceId);
      Promise.all([redis.del(ruleStateKey(prefix, event.deviceId)), lastSeen.forget([event.deviceId])]).catch(
        (err: Error) =>
          this.logger.warn({ err, deviceId: event.deviceId }, 'could not delete the rule state of a deleted device'),
      );
    });
    await this.subscriber.subscribe(channel);
  }

  onApplicationShutdown(): void {
    this.subscriber?.disconnect();
    this.redis?.disconnect();
  }
}
