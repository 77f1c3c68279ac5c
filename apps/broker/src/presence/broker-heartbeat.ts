import type { PresenceStore } from '@citypulse/registry';
import type { Logger } from '@citypulse/observability';

/**
 * Keeps presence right across brokers: this broker renews its liveness key every period (it
 * lapses after three), and sweeps — any broker may — the devices of brokers whose key lapsed
 * (crashed, killed, cut off) to offline with reason `broker_lost`. On a clean stop it marks its
 * own remaining devices offline (`broker_shutdown`) and deletes its key.
 */
export class BrokerHeartbeat {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly presence: PresenceStore,
    private readonly brokerId: string,
    private readonly periodMs: number,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.periodMs);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    try {
      await this.presence.heartbeat(this.brokerId, this.periodMs * 3);
      const released = await this.presence.sweepDeadBrokers();
      if (released > 0) this.logger.warn({ released }, 'marked offline the devices of brokers that stopped answering');
    } catch (err) {
      this.logger.warn({ err }, 'broker heartbeat failed');
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.presence.releaseBroker(this.brokerId, 'broker_shutdown');
  }
}
