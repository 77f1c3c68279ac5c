import type { LocalBroker } from '@citypulse/core';
import type { PresenceStore } from '@citypulse/registry';

/**
 * Whether devices can be served. In the all-in-one process the broker is asked directly. The api
 * alone reads the brokers' heartbeats in Redis (each broker renews its key every
 * CP_BROKER_HEARTBEAT_MS; it lapses after three periods): that is the brokers' own word that
 * they are running and reaching Redis — which they need to take readings — and it covers any
 * number of brokers behind a load balancer, where a TCP connect would only reach the balancer.
 */
export async function brokerStatus(local: LocalBroker | undefined, presence: PresenceStore): Promise<'up' | 'down'> {
  if (local) return local.accepting ? 'up' : 'down';
  return (await presence.liveBrokers()).length > 0 ? 'up' : 'down';
}
