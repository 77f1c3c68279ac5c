import type { Client } from 'aedes';
import { deviceTopic } from '@citypulse/contracts';

/** A last will as the CONNECT packet carries it. */
export interface Will {
  topic: string;
  retain?: boolean;
}

/**
 * A device's last will may go only to its own `devices/{id}/state` (devices/README.md): a will on
 * its telemetry would be stored as a reading and fed to the rules when it drops, one on
 * `command-acks` relayed to operators as an ack. An operator login publishes nothing, so it has
 * no will at all. Pure: the CONNECT refusal and the publish guard both ask it.
 */
export function willAllowed(will: Will | undefined | null, deviceId: string | undefined): boolean {
  return !will || (deviceId !== undefined && will.topic === deviceTopic(deviceId, 'state'));
}

/**
 * The will each connection declared in its CONNECT, kept by preConnect (aedes' public hook) so
 * that authenticate can refuse a will on the wrong topic, and authorizePublish can tell the will
 * aedes publishes on an unclean end (the very same object) from a PUBLISH the device sent.
 */
export class ConnectWills {
  private readonly wills = new WeakMap<Client, Will>();

  note(client: Client, will: Will | undefined | null): void {
    if (will) this.wills.set(client, will);
    else this.wills.delete(client);
  }

  of(client: Client): Will | undefined {
    return this.wills.get(client);
  }

  isWill(client: Client | null | undefined, packet: object): boolean {
    return client != null && this.wills.get(client) === packet;
  }
}
