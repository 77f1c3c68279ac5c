import type { Aedes, Client } from 'aedes';
import { brokerInternals, clientInternals, type BrokerPublish, type ParseChunk } from './internals.js';

/**
 * The broker's three replacements of aedes behaviour (aedes AEDES_VERSION_READ, ./internals.ts).
 * Each installs the caller's function in aedes' place directly, so a patched call costs what
 * the caller's function costs and nothing more.
 */

/**
 * Packet-size guard (security/packet-size-guard.ts). Changes: what a client does with the bytes
 * read from its connection. aedes feeds every chunk to `client._parser.parse`, and neither aedes
 * nor mqtt-packet caps a packet's size, so a client may declare 256 MB and have it buffered;
 * `wrap` gets the parser's own parse and returns the one the client calls instead.
 */
export function wrapClientParse(client: Client, wrap: (parse: ParseChunk) => ParseChunk): void {
  const parser = clientInternals(client)._parser;
  parser.parse = wrap(parser.parse.bind(parser));
}

/**
 * Telemetry routing (telemetry/telemetry-routing.ts). Changes: the step aedes runs after PUBACK
 * for every accepted publish — its handlers, wills and the server's own publishes all call
 * `broker.publish(packet, client, done)` on the instance, which routes the packet to subscribers
 * (and, clustered, into Redis pub/sub). `wrap` gets aedes' publish and returns the one they call.
 */
export function wrapBrokerPublish(broker: Aedes, wrap: (publish: BrokerPublish) => BrokerPublish): void {
  const internals = brokerInternals(broker);
  internals.publish = wrap(internals.publish.bind(broker));
}

/**
 * PUBACK tracking (delivery/puback-tracker.ts). Changes nothing aedes does; it adds an observer.
 * aedes' 'ack' event carries the packet it stored for the client, and for a clean session it
 * stores none, so the event cannot say which message was acknowledged. Every PUBACK does pass
 * through `persistence.outgoingClearMessageId(client, {messageId})` (as does a queued packet aedes
 * drops unsent); `cleared` sees each such call before the persistence does. Call after listen().
 */
export function watchOutgoingClears(broker: Aedes, cleared: (client: Client, messageId: number) => void): void {
  const persistence = brokerInternals(broker).persistence;
  const clear = persistence.outgoingClearMessageId.bind(persistence);
  persistence.outgoingClearMessageId = (client, packet) => {
    if (packet.messageId !== undefined) cleared(client, packet.messageId);
    return clear(client, packet);
  };
}
