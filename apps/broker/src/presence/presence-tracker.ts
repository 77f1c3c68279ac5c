import type { Aedes } from 'aedes';
import type { PresenceStore } from '@citypulse/registry';
import type { Logger, Metrics } from '@citypulse/observability';
import type { Sessions } from './sessions.js';

/** Records connect and disconnect (clean, abrupt or keepalive timeout) of authenticated devices. */
export function trackPresence(broker: Aedes, sessions: Sessions, presence: PresenceStore, metrics: Metrics, logger: Logger): void {
  const onError = (err: Error) => logger.warn({ err }, 'presence update failed');
  const connectionIds = new WeakMap<object, string>();
  let connections = 0;
  broker.on('clientReady', (client) => {
    metrics.mqttConnections.set(broker.connectedClients);
    const session = sessions.get(client);
    if (!session) return;
    const connectionId = `${broker.id}:${++connections}`;
    connectionIds.set(client, connectionId);
    presence.markOnline(session.device.id, broker.id, connectionId).catch(onError);
  });
  broker.on('clientDisconnect', (client) => {
    metrics.mqttConnections.set(broker.connectedClients);
    const session = sessions.get(client);
    const connectionId = connectionIds.get(client);
    if (session && connectionId) presence.markOffline(session.device.id, connectionId).catch(onError);
  });
}
