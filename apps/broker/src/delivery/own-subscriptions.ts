import type { Client } from 'aedes';
import { deviceTopic } from '@citypulse/contracts';

/** aedes keeps a client's granted subscriptions by topic filter at runtime but does not declare the map in its types. */
export function isSubscribed(client: Client, deviceId: string, kind: 'config' | 'commands'): boolean {
  const subscriptions = (client as unknown as { subscriptions?: Record<string, unknown> }).subscriptions ?? {};
  return Object.hasOwn(subscriptions, deviceTopic(deviceId, kind));
}
