import type { Duplex } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import type { Aedes } from 'aedes';
import type { Logger } from '@citypulse/observability';
import { guardPacketSize } from '../security/packet-size-guard.js';
import type { ReadAdmission } from './read-admission.js';

/**
 * Hands one connection (TCP or TLS socket, or a WebSocket's stream) to aedes, behind the
 * packet-size guard and the broker's read admission.
 */
export type ServeConnection = (stream: Duplex, request?: IncomingMessage) => void;

export function serveConnection(
  broker: Aedes,
  maxPacketBytes: number,
  admission: ReadAdmission,
  logger: Logger,
): ServeConnection {
  return (stream, request) => {
    const address = (stream as { remoteAddress?: string }).remoteAddress;
    const client = broker.handle(stream, request);
    guardPacketSize(client, maxPacketBytes, (err) =>
      logger.warn({ address, err: err.message }, 'MQTT packet over the size limit; connection closed'),
    );
    admission.admit(client);
  };
}
