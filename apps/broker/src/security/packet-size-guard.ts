import type { Client } from 'aedes';
import { wrapClientParse } from '../aedes/patches.js';
import { FrameSizeScanner } from './frame-size-scanner.js';

export class PacketTooLargeError extends Error {
  override readonly name = 'PacketTooLargeError';
  constructor(
    readonly declaredBytes: number,
    readonly maxBytes: number,
  ) {
    super(
      Number.isFinite(declaredBytes)
        ? `MQTT packet of ${declaredBytes} bytes exceeds the ${maxBytes}-byte limit`
        : 'malformed MQTT remaining length',
    );
  }
}

/**
 * Neither aedes nor mqtt-packet caps a packet's size: a client (even before CONNECT) may declare
 * 256 MB and the parser buffers every byte of it. This puts a frame-size check in front of the
 * client's parser: a frame declaring more than `maxBytes` ends the connection (as a client error,
 * so aedes closes it, publishes a last will and logs it) before its body is read.
 */
export function guardPacketSize(
  client: Client,
  maxBytes: number,
  onRefused: (error: PacketTooLargeError) => void,
): void {
  const scanner = new FrameSizeScanner(maxBytes);
  let refused = false;
  wrapClientParse(client, (parse) => (chunk: Buffer) => {
    if (refused) return 0;
    const tooLarge = scanner.scan(chunk);
    if (tooLarge === 0) return parse(chunk);
    refused = true;
    const error = new PacketTooLargeError(tooLarge, maxBytes);
    onRefused(error);
    client.emit('error', error);
    return 0;
  });
}
