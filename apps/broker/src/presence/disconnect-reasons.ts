import type { Client } from 'aedes';
import type { OfflineReason } from '@citypulse/registry';
import { sentDisconnect } from '../aedes/internals.js';

/**
 * Why the broker is about to close a client, noted by whoever closes it (keep-alive watchdog,
 * control channel, shutdown) and read by the presence tracker when the disconnect arrives.
 * Anything not noted is told apart by aedes' own flag: a DISCONNECT packet or a lost connection.
 */
export class DisconnectReasons {
  private readonly reasons = new WeakMap<Client, OfflineReason>();

  note(client: Client, reason: OfflineReason): void {
    if (!this.reasons.has(client)) this.reasons.set(client, reason);
  }

  /** Notes why, then closes the connection (its last will is published, as for any unclean end). */
  close(client: Client, reason: OfflineReason): void {
    this.note(client, reason);
    client.close();
  }

  of(client: Client): OfflineReason {
    const noted = this.reasons.get(client);
    if (noted) return noted;
    return sentDisconnect(client) ? 'disconnect' : 'connection_lost';
  }
}
