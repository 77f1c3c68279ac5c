import { Observable, Subject } from 'rxjs';
import type { RedisClient } from '@citypulse/redis';
import type { AppConfig } from '@citypulse/config';
import { connectRedis } from '@citypulse/core';

/**
 * The JSON messages of one Redis pub/sub channel, for server-sent-event clients: one subscription
 * per API process (made on first use), shared by every open stream. Live means at-most-once: a
 * client that reconnects reads the matching list route for what it missed. A malformed message
 * is skipped.
 */
export class RedisChannelFeed<T> {
  private readonly subject = new Subject<T>();
  private subscriber?: RedisClient;
  private subscribed?: Promise<unknown>;

  constructor(
    private readonly config: AppConfig,
    /** The Redis connection's name (CLIENT LIST). */
    private readonly connectionName: string,
    private readonly channel: string,
  ) {}

  /** Every message from now on (subscribes on first use; await ready() to miss none published after). */
  get messages(): Observable<T> {
    // A stream opened without ready() hears nothing rather than crashing the process.
    this.ready().catch(() => undefined);
    return this.subject.asObservable();
  }

  /** Resolves once the subscription is active. */
  ready(): Promise<unknown> {
    return (this.subscribed ??= this.subscribe());
  }

  private async subscribe(): Promise<void> {
    this.subscriber = connectRedis(this.config, this.connectionName);
    this.subscriber.on('message', (_channel: string, json: string) => {
      let message: T;
      try {
        message = JSON.parse(json) as T;
      } catch {
        return;
      }
      this.subject.next(message);
    });
    await this.subscriber.subscribe(this.channel);
  }

  close(): void {
    this.subject.complete();
    this.subscriber?.disconnect();
  }
}
