import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Observable, Subject, filter, map } from 'rxjs';
import type { RedisClient } from '@citypulse/redis';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { connectRedis } from '@citypulse/core';
import { alertLiveChannel, type AlertMessage } from '@citypulse/contracts';

/**
 * The live alert messages, for server-sent-event clients: one Redis subscription per API
 * process, shared by every open stream. Live means at-most-once: a console that reconnects
 * reads GET /alerts for what it missed.
 */
@Injectable()
export class LiveAlerts implements OnApplicationShutdown {
  private readonly messages = new Subject<AlertMessage>();
  private subscriber?: RedisClient;
  private subscribed?: Promise<unknown>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Messages a client may see, as SSE message events (type = event kind). */
  stream(accept: (m: AlertMessage) => boolean): Observable<{ type: string; id: string; data: AlertMessage }> {
    this.subscribed ??= this.subscribe();
    return this.messages.pipe(
      filter(accept),
      map((m) => ({ type: m.event.kind, id: m.event.id, data: m })),
    );
  }

  /** Resolves once the subscription is active (streams opened before miss nothing after). */
  ready(): Promise<unknown> {
    return (this.subscribed ??= this.subscribe());
  }

  private async subscribe(): Promise<void> {
    this.subscriber = connectRedis(this.config, 'alerts-live');
    this.subscriber.on('message', (_channel: string, json: string) => {
      try {
        this.messages.next(JSON.parse(json) as AlertMessage);
      } catch {
        // Not ours to crash over: a malformed message is skipped.
      }
    });
    await this.subscriber.subscribe(alertLiveChannel(this.config.redis.prefix));
  }

  onApplicationShutdown(): void {
    this.messages.complete();
    this.subscriber?.disconnect();
  }
}
