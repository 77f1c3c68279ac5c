import type { Duplex } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import type { Aedes } from 'aedes';
import type { Logger } from '@citypulse/observability';
import { guardPacketSize } from '../security/packet-size-guard.js';

/** Hands one connection (TCP or TLS socket, or a WebSocket's stream) to aedes, behind the packet-size guard. */
export type ServeConnection = (stream: Duplex, request?: IncomingMessage) => void;

export function serveConnection(broker: Aedes, maxPacketBytes: number, logger: Logger): ServeConnection {
  return (stream, request) => {
    const address = (stream as { remoteAddress?: string }).remoteAddress;
    guardPacketSize(broker.handle(stream, request), maxPacketBytes, (err) =>
      logger.warn({ address, err: err.message }, 'MQTT packet over the size limit; connection closed'),
    );
  };
}
