import type { Client } from 'aedes';
import { deviceTopic } from '@citypulse/contracts';
import { holdsSubscription } from '../aedes/internals.js';

/** Whether the device on this connection is subscribed to its own config or commands topic. */
export function isSubscribed(client: Client, deviceId: string, kind: 'config' | 'commands'): boolean {
  return holdsSubscription(client, deviceTopic(deviceId, kind));
}
