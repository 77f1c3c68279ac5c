import type { Aedes, Client } from 'aedes';
import type { ShareStore } from '@citypulse/registry';
import { clientInternals, connectedClient } from '../aedes/internals.js';
import { shareOfTopic } from '../operator-topics.js';

/**
 * Which shares this broker's operator logins listen to, noted in Redis (ShareStore.noteListened)
 * for the API's live publisher, which computes only what someone listens to. A granted
 * subscription is noted at once; every `tickMs` the shares of the subscriptions the connected
 * operator logins hold are noted again (a persistent session's restored subscriptions too, and an
 * unsubscribed or disconnected one drops out), so a note lapses soon after the last listener goes.
 */
export class ShareListeners {
  private readonly operators = new Set<Client>();
  private timer?: NodeJS.Timeout;
  private broker?: Aedes;

  constructor(
    private readonly store: ShareStore,
    private readonly tickMs: number,
    private readonly isOperator: (client: Client) => boolean,
    private readonly onError: (err: Error) => void,
  ) {}

  attach(broker: Aedes): void {
    this.broker = broker;
    broker.on('clientReady', (client) => {
      if (this.isOperator(client)) this.operators.add(client);
    });
    broker.on('clientDisconnect', (client) => this.operators.delete(client));
    this.timer = setInterval(() => void this.renew().catch(this.onError), this.tickMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** A subscription to one of the share's topics was just granted. */
  granted(shareId: string): Promise<void> {
    return this.store.noteListened([shareId], this.tickMs);
  }

  private async renew(): Promise<void> {
    const ids = new Set<string>();
    for (const client of this.operators) {
      if (!this.broker || connectedClient(this.broker, client.id) !== client) {
        this.operators.delete(client);
        continue;
      }
      for (const filter of Object.keys(clientInternals(client).subscriptions)) {
        const id = shareOfTopic(filter);
        if (id) ids.add(id);
      }
    }
    await this.store.noteListened(ids, this.tickMs);
  }
}
