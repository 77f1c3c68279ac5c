import { connectionErrorKind } from './connection-errors.js';
import { PacketTooLargeError } from './packet-size-guard.js';

describe('why the broker ended a connection', () => {
  it.each([
    [new PacketTooLargeError(300_000, 262_144), 'packet_too_large'],
    [new PacketTooLargeError(Infinity, 262_144), 'malformed_packet'],
    [new Error('Invalid header flag bits, must be 0x2 for subscribe packet'), 'malformed_packet'],
    [new Error('Invalid variable byte integer'), 'malformed_packet'],
    [new Error('Packet too short'), 'malformed_packet'],
    [new Error('Cannot parse topic'), 'malformed_packet'],
    [new Error('Connect flag bit 0 must be 0, but got 1'), 'malformed_packet'],
    [new Error('connect did not arrive in time'), 'connect_timeout'],
    [new Error('keep alive timeout'), 'keepalive_timeout'],
    [new Error('# is not allowed in PUBLISH'), 'protocol_violation'],
    [new Error('not authorised to publish to devices/other/telemetry'), 'protocol_violation'],
    [Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), 'socket'],
  ])('%s → %s', (err, kind) => {
    expect(connectionErrorKind(err)).toBe(kind);
  });
});
