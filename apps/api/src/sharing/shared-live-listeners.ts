import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { LOGGER } from '@citypulse/core';
import type { Logger } from '@citypulse/observability';
import { ShareStore } from '@citypulse/registry';

/**
 * This process's live SSE listeners per share, noted in Redis (ShareStore.noteListened) for the
 * live publisher, which computes only what someone listens to: at once when a share gets its first
 * listener here, then every CP_SHARE_LIVE_TICK_MS while it has any.
 */
@Injectable()
export class SharedLiveListeners implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log: Logger;
  private readonly listeners = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly shares: ShareStore,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'shared-live-listeners' });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.note(this.listeners.keys()), this.config.sharing.liveTickMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One more listener of the share, until the function returned is called. */
  listen(shareId: string): () => void {
    const before = this.listeners.get(shareId) ?? 0;
    this.listeners.set(shareId, before + 1);
    if (before === 0) this.note([shareId]);
    let gone = false;
    return () => {
      if (gone) return;
      gone = true;
      const left = (this.listeners.get(shareId) ?? 1) - 1;
      if (left > 0) this.listeners.set(shareId, left);
      else this.listeners.delete(shareId);
    };
  }

  private note(ids: Iterable<string>): void {
    this.shares
      .noteListened([...ids], this.config.sharing.liveTickMs)
      .catch((err: Error) => this.log.warn({ err }, 'live share listeners not noted'));
  }
}
