import type { Aedes, Client } from 'aedes';
import type { PresenceStore } from '@citypulse/registry';
import type { Logger, Metrics } from '@citypulse/observability';
import { connectedClients, hasLastWill } from '../aedes/internals.js';
import type { Sessions } from '../sessions.js';
import type { DisconnectReasons } from './disconnect-reasons.js';

interface Connection {
  id: string;
  deviceId: string;
  /** It connected with a last will: published on any end but a DISCONNECT packet. */
  hasWill: boolean;
}

/**
 * Records connect and disconnect of authenticated devices: online with connected-since, offline
 * with the reason (DISCONNECT, lost connection, keep-alive timeout, closed by the broker) and
 * whether its last will went out. `settled` lets shutdown wait for the last writes.
 */
export class PresenceTracker {
  private readonly connections = new WeakMap<Client, Connection>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private counter = 0;

  constructor(
    private readonly broker: Aedes,
    private readonly sessions: Sessions,
    private readonly presence: PresenceStore,
    private readonly reasons: DisconnectReasons,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {
    broker.on('clientReady', (client) => this.online(client));
    broker.on('clientDisconnect', (client) => this.offline(client));
    // aedes emits this, then closes the client with an error.
    broker.on('keepaliveTimeout', (client) => reasons.note(client, 'keepalive_timeout'));
  }

  private online(client: Client): void {
    this.metrics.mqttConnections.set(this.broker.connectedClients);
    const session = this.sessions.get(client);
    if (!session) return;
    const connection = {
      id: `${this.broker.id}:${++this.counter}`,
      deviceId: session.device.id,
      hasWill: hasLastWill(client),
    };
    this.connections.set(client, connection);
    this.metrics.presenceChanges.inc({ state: 'online', reason: 'connect' });
    this.track(this.presence.markOnline(session.device, this.broker.id, connection.id));
  }

  private offline(client: Client): void {
    this.metrics.mqttConnections.set(this.broker.connectedClients);
    const connection = this.connections.get(client);
    if (!connection) return;
    const reason = this.reasons.of(client);
    const lastWill = connection.hasWill && reason !== 'disconnect';
    this.metrics.presenceChanges.inc({ state: 'offline', reason });
    this.track(this.presence.markOffline(connection.deviceId, connection.id, reason, lastWill));
  }

  private track(write: Promise<unknown>): void {
    const tracked = write.catch((err: Error) => this.logger.warn({ err }, 'presence update failed'));
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  /** The broker is about to close every connection: record them as `broker_shutdown`, not as lost. */
  noteShutdown(): void {
    for (const client of connectedClients(this.broker)) this.reasons.note(client, 'broker_shutdown');
  }

  /** Resolves once every presence write started so far is done. */
  async settled(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }
}
