import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Observable, filter, map } from 'rxjs';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { alertLiveChannel, type AlertMessage } from '@citypulse/contracts';
import { RedisChannelFeed } from '../common/redis-channel-feed.js';

/**
 * The live alert messages, for server-sent-event clients: one Redis subscription per API
 * process, shared by every open stream. Live means at-most-once: a console that reconnects
 * reads GET /alerts for what it missed.
 */
@Injectable()
export class LiveAlerts implements OnApplicationShutdown {
  private readonly feed: RedisChannelFeed<AlertMessage>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.feed = new RedisChannelFeed(config, 'alerts-live', alertLiveChannel(config.redis.prefix));
  }

  /** Messages a client may see, as SSE message events (type = event kind). */
  stream(accept: (m: AlertMessage) => boolean): Observable<{ type: string; id: string; data: AlertMessage }> {
    return this.feed.messages.pipe(
      filter(accept),
      map((m) => ({ type: m.event.kind, id: m.event.id, data: m })),
    );
  }

  /** Resolves once the subscription is active (streams opened before miss nothing after). */
  ready(): Promise<unknown> {
    return this.feed.ready();
  }

  onApplicationShutdown(): void {
    this.feed.close();
  }
}
