import type { Aedes, Client } from 'aedes';

/**
 * The one place the broker reaches into aedes past its typed API (README "Layout"). Everything
 * here was read from aedes' source at this version (aedes.js, lib/client.js, lib/qos-packet.js,
 * lib/handlers/*); assertAedesInternals (./assert-internals.ts) checks at boot that it still holds,
 * so an aedes upgrade is reviewed here and fails loudly at start rather than silently in traffic.
 *
 * Accessors are plain functions over casts (no wrapper objects, no Proxy): some run for every
 * command sent and every PUBACK, and cost what the direct field access cost.
 */
export const AEDES_VERSION_READ = '1.2.0';

/** A packet aedes' persistence stores for, or clears from, a client's outgoing queue. */
export interface OutgoingPacket {
  messageId?: number;
}

export interface AedesPersistence {
  /** aedes calls it for every PUBACK (lib/handlers/puback.js), and to drop a queued packet it will not send. */
  outgoingClearMessageId(client: Client, packet: OutgoingPacket): Promise<unknown>;
  outgoingEnqueue(sub: { clientId: string }, packet: object): Promise<void>;
}

export type PublishDone = (err?: Error | null) => void;

/**
 * Broker.publish as aedes' own handlers call it: with the publishing client, or with null for the server's own
 * (aedes.js).
 */
export type BrokerPublish = (
  packet: { topic: string; retain?: boolean },
  client: Client | null | PublishDone,
  done?: PublishDone,
) => void;

/** An mqtt-packet parser's entry point: the client feeds it each chunk read from its connection. */
export type ParseChunk = (chunk: Buffer) => number;

/** Fields aedes keeps on its instance without declaring them in its types. */
export interface BrokerInternals {
  /** Connected clients by client id, a null-prototype object (aedes.js `clients`). */
  clients: Record<string, Client>;
  /**
   * The last brokerCounter given to a packet; each client drops a packet numbered at or below the last it saw from this
   * broker.
   */
  counter: number;
  /** Set by listen(). */
  persistence: AedesPersistence;
  publish: BrokerPublish;
}

/** Fields aedes keeps on each client (lib/client.js constructor) without declaring them in its types. */
export interface ClientInternals {
  /** Its next packet identifier; QoSPacket takes one from it and wraps 65535 → 1. */
  _nextId: number;
  /** Set only by a DISCONNECT packet [MQTT-3.14.4-3]; a lost or closed connection leaves it false. */
  _disconnected: boolean;
  _parser: { parse: ParseChunk };
  /** Granted subscriptions by topic filter, a null-prototype object. */
  subscriptions: Record<string, unknown>;
  /** The last will once CONNECT is accepted (undefined when it carried none), null before and after. */
  will: object | null | undefined;
  /** Sends one QoS > 0 packet to this client only, keeping a packet identifier the packet already has. */
  deliverQoS(packet: object, done: () => void): void;
  /** Stops reading its connection: the next read waits, unparsed, until `resume` (lib/client.js). */
  pause(): void;
  /** Reads and parses its connection again, starting with whatever waited. */
  resume(): void;
}

export function brokerInternals(broker: Aedes): BrokerInternals {
  return broker as unknown as BrokerInternals;
}

export function clientInternals(client: Client): ClientInternals {
  return client as unknown as ClientInternals;
}

/** The connected client with this id on this broker, if any. */
export function connectedClient(broker: Aedes, clientId: string): Client | undefined {
  const clients = brokerInternals(broker).clients;
  return Object.hasOwn(clients, clientId) ? clients[clientId] : undefined;
}

export function connectedClients(broker: Aedes): Client[] {
  return Object.values(brokerInternals(broker).clients);
}

/** Whether this client holds a granted subscription to exactly this topic filter. */
export function holdsSubscription(client: Client, filter: string): boolean {
  return Object.hasOwn(clientInternals(client).subscriptions, filter);
}

/** Whether the client ended (or is ending) with a DISCONNECT packet, not a lost or closed connection. */
export function sentDisconnect(client: Client): boolean {
  return clientInternals(client)._disconnected;
}

/** Whether the client's accepted CONNECT carried a last will (read it on 'clientReady'). */
export function hasLastWill(client: Client): boolean {
  return Boolean(clientInternals(client).will);
}

/**
 * Takes the client's next packet identifier the way aedes' QoSPacket does, so it cannot collide with one aedes has in
 * flight.
 */
export function takeMessageId(client: Client): number {
  const internals = clientInternals(client);
  const messageId = internals._nextId;
  internals._nextId = messageId >= 65535 ? 1 : messageId + 1;
  return messageId;
}

/** Numbers a packet by the broker's counter as aedes-packet does, so the client's per-broker dedupe lets it through. */
export function nextBrokerCounter(broker: Aedes): number {
  const internals = brokerInternals(broker);
  return ++internals.counter;
}

/**
 * Queues a packet for a persistent session the way Client.publish does before delivering it (deliverQoS updates the
 * stored copy).
 */
export function enqueueOutgoing(broker: Aedes, clientId: string, packet: object): Promise<void> {
  return brokerInternals(broker).persistence.outgoingEnqueue({ clientId }, packet);
}

/** Writes one QoS 1 packet to this client alone (not through the topic tree); `done` once written or dropped. */
export function deliverQoS(client: Client, packet: object, done: () => void): void {
  clientInternals(client).deliverQoS(packet, done);
}
