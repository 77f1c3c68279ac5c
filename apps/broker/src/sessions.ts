import type { Client } from 'aedes';
import type { DeviceRecord } from '@citypulse/registry';
import type { DeviceTypeDefinition } from '@citypulse/devices';

/** What the broker knows about an authenticated connection, resolved once at CONNECT. */
export interface DeviceSession {
  device: DeviceRecord;
  type: DeviceTypeDefinition;
}

/** Authenticated sessions by aedes client; a WeakMap so a closed client takes its session with it. */
export class Sessions {
  private readonly byClient = new WeakMap<Client, DeviceSession>();

  set(client: Client, session: DeviceSession): void {
    this.byClient.set(client, session);
  }

  get(client: Client | null): DeviceSession | undefined {
    return client ? this.byClient.get(client) : undefined;
  }
}
