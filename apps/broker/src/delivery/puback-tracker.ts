import type { Aedes, Client } from 'aedes';
import { deliverQoS, enqueueOutgoing, nextBrokerCounter, takeMessageId } from '../aedes/internals.js';
import { watchOutgoingClears } from '../aedes/patches.js';

/**
 * Tells when a device's PUBACK for one particular message arrives. aedes' 'ack' event cannot say
 * which message a clean session acknowledged, so this watches the persistence call every PUBACK
 * makes (watchOutgoingClears), and sends tracked messages with a packet identifier taken from the
 * client's own counter (so it cannot collide with one aedes has in flight to the same client).
 * The aedes internals it relies on are in ../aedes/, checked at boot.
 */
export class PubackTracker {
  private readonly waiting = new WeakMap<Client, Map<number, () => void>>();

  constructor(private readonly broker: Aedes) {
    watchOutgoingClears(broker, this.acknowledged);
  }

  /**
   * Sends a QoS 1 PUBLISH to this one client (not through the topic tree, so no other subscriber
   * and no other broker sees it). Resolves once written; `onPuback` runs when the client's PUBACK
   * arrives — never, if the connection ends first.
   */
  async send(client: Client, topic: string, payload: Buffer, onPuback: () => void): Promise<void> {
    const messageId = takeMessageId(client);
    let waiting = this.waiting.get(client);
    if (!waiting) this.waiting.set(client, (waiting = new Map<number, () => void>()));
    waiting.set(messageId, onPuback);
    const packet = {
      cmd: 'publish',
      topic,
      payload,
      qos: 1,
      retain: false,
      dup: false,
      messageId,
      brokerId: this.broker.id,
      brokerCounter: nextBrokerCounter(this.broker),
    };
    // A persistent session updates the stored copy of every packet it sends; it must be there.
    if (!client.clean) await enqueueOutgoing(this.broker, client.id, packet);
    await new Promise<void>((resolve) => deliverQoS(client, packet, resolve));
  }

  /** A field, not a method: aedes' persistence calls it directly on every PUBACK, with no wrapper in between. */
  private readonly acknowledged = (client: Client, messageId: number): void => {
    const waiting = this.waiting.get(client);
    const onPuback = waiting?.get(messageId);
    if (!onPuback) return;
    waiting!.delete(messageId);
    onPuback();
  };
}
