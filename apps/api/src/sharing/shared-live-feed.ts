import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { sharedLiveChannel, type SharedLiveMessage } from '@citypulse/contracts';
import { RedisChannelFeed } from '../common/redis-channel-feed.js';

/**
 * The live shared messages (SharedLivePublisher, in whichever API process holds the lease) for
 * this process's SSE streams. At-most-once: a console that reconnects reads
 * GET /shares/:id/telemetry for what it missed.
 */
@Injectable()
export class SharedLiveFeed implements OnApplicationShutdown {
  private readonly feed: RedisChannelFeed<SharedLiveMessage>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.feed = new RedisChannelFeed(config, 'shares-live', sharedLiveChannel(config.redis.prefix));
  }

  get messages(): Observable<SharedLiveMessage> {
    return this.feed.messages;
  }

  ready(): Promise<unknown> {
    return this.feed.ready();
  }

  onApplicationShutdown(): void {
    this.feed.close();
  }
}
