import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { RedisClient } from '@citypulse/redis';
import { Observable, Subject, share } from 'rxjs';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { connectRedis, LOGGER } from '@citypulse/core';
import { RegistryKeys, type PresenceEvent } from '@citypulse/registry';
import type { Logger } from '@citypulse/observability';

/**
 * Presence events of the whole cluster, as brokers publish them on Redis pub/sub, for any number
 * of HTTP listeners: one Redis subscription per API process, opened with the first listener and
 * closed with the last.
 */
@Injectable()
export class PresenceFeed implements OnApplicationShutdown {
  readonly events: Observable<PresenceEvent>;
  private subscriber?: RedisClient;

  constructor(@Inject(APP_CONFIG) config: AppConfig, @Inject(LOGGER) logger: Logger) {
    const channel = new RegistryKeys(config.redis.prefix).presenceChannel;
    this.events = new Observable<PresenceEvent>((observer) => {
      const subscriber = connectRedis(config, 'presence-feed');
      this.subscriber = subscriber;
      subscriber.on('message', (_channel: string, message: string) => {
        try {
          observer.next(JSON.parse(message) as PresenceEvent);
        } catch {
          logger.warn({ message }, 'ignored a malformed presence event');
        }
      });
      subscriber.subscribe(channel).catch((err: Error) => observer.error(err));
      return () => subscriber.disconnect();
    }).pipe(share({ connector: () => new Subject<PresenceEvent>(), resetOnRefCountZero: true }));
  }

  onApplicationShutdown(): void {
    this.subscriber?.disconnect();
  }
}
