import type { Aedes, Client } from 'aedes';

interface AedesInternals {
  /** The client's next packet identifier; aedes' QoSPacket takes ids from it the same way. */
  _nextId: number;
  clean: boolean;
  /** Delivers one QoS > 0 packet to this client, keeping a packet identifier the packet already has. */
  deliverQoS(packet: object, done: (err?: Error) => void): void;
}

interface Persistence {
  outgoingClearMessageId(client: Client, packet: { messageId?: number }): Promise<unknown>;
  outgoingEnqueue(sub: { clientId: string }, packet: object): Promise<void>;
}

/**
 * Tells when a device's PUBACK for one particular message arrives. aedes' 'ack' event carries the
 * packet it stored for the client, and for clean sessions (every device here) it stores none, so
 * the event cannot say which message was acknowledged. Every PUBACK does pass through
 * persistence.outgoingClearMessageId(client, {messageId}); this watches that call, and sends
 * tracked messages with a packet identifier taken from the client's own counter (so it cannot
 * collide with one aedes has in flight to the same client).
 *
 * The aedes internals it relies on (_nextId, deliverQoS, counter, the persistence calls) are
 * covered by the command integration tests, which fail if an aedes upgrade moves them.
 */
export class PubackTracker {
  private readonly waiting = new WeakMap<Client, Map<number, () => void>>();
  private readonly persistence: Persistence;

  constructor(private readonly broker: Aedes) {
    // aedes holds its persistence on the instance at runtime; its types do not declare it.
    const persistence = (broker as unknown as { persistence: Persistence }).persistence;
    this.persistence = persistence;
    const clear = persistence.outgoingClearMessageId.bind(persistence);
    persistence.outgoingClearMessageId = (client, packet) => {
      if (packet.messageId !== undefined) this.acknowledged(client, packet.messageId);
      return clear(client, packet);
    };
  }

  /**
   * Sends a QoS 1 PUBLISH to this one client (not through the topic tree, so no other subscriber
   * and no other broker sees it). Resolves once written; `onPuback` runs when the client's PUBACK
   * arrives — never, if the connection ends first.
   */
  async send(client: Client, topic: string, payload: Buffer, onPuback: () => void): Promise<void> {
    const internals = client as unknown as AedesInternals;
    const messageId = internals._nextId;
    internals._nextId = messageId >= 65535 ? 1 : messageId + 1;
    let waiting = this.waiting.get(client);
    if (!waiting) this.waiting.set(client, (waiting = new Map()));
    waiting.set(messageId, onPuback);
    // Numbered by the broker's counter like every aedes packet, so its per-client dedupe passes it.
    const counter = (this.broker as unknown as { counter: number }).counter + 1;
    (this.broker as unknown as { counter: number }).counter = counter;
    const packet = { cmd: 'publish', topic, payload, qos: 1, retain: false, dup: false, messageId, brokerId: this.broker.id, brokerCounter: counter };
    // A persistent session updates the stored copy of every packet it sends; it must be there.
    if (!internals.clean) await this.persistence.outgoingEnqueue({ clientId: client.id }, packet);
    await new Promise<void>((resolve) => internals.deliverQoS(packet, () => resolve()));
  }

  private acknowledged(client: Client, messageId: number): void {
    const waiting = this.waiting.get(client);
    const onPuback = waiting?.get(messageId);
    if (!onPuback) return;
    waiting!.delete(messageId);
    onPuback();
  }
}
