import mqttPacket from 'mqtt-packet';
import { FrameSizeScanner } from './frame-size-scanner.js';

const publish = (payloadBytes: number) =>
  mqttPacket.generate({
    cmd: 'publish',
    topic: 'devices/d1/telemetry',
    payload: Buffer.alloc(payloadBytes, 0x41),
    qos: 1,
    messageId: 7,
    retain: false,
    dup: false,
  });
const pingreq = mqttPacket.generate({ cmd: 'pingreq' });

/** Feeds a stream to a scanner in pieces of `size` bytes; the first non-zero answer. */
function scanInPieces(scanner: FrameSizeScanner, stream: Buffer, size: number): number {
  for (let at = 0; at < stream.length; at += size) {
    const found = scanner.scan(stream.subarray(at, at + size));
    if (found) return found;
  }
  return 0;
}

describe('the frame size scanner', () => {
  it('passes a stream of frames within the limit, whole or cut anywhere (even one byte at a time)', () => {
    const stream = Buffer.concat([publish(100), pingreq, publish(20_000), publish(0), pingreq]);
    for (const piece of [stream.length, 1000, 7, 2, 1]) {
      expect(scanInPieces(new FrameSizeScanner(20_100), stream, piece)).toBe(0);
    }
  });

  it('reports the declared size of the first frame over the limit, from its header alone', () => {
    const big = publish(300_000);
    // Only the first 4 bytes (type + 3 length bytes) have arrived: enough to know.
    expect(new FrameSizeScanner(262_144).scan(big.subarray(0, 4))).toBe(big.length);
  });

  it('finds a large frame behind small ones and a header split across chunks', () => {
    const stream = Buffer.concat([publish(10), pingreq, publish(70_000)]);
    expect(scanInPieces(new FrameSizeScanner(65_536), stream, 3)).toBe(publish(70_000).length);
  });

  it('counts the fixed header in the frame size: a frame exactly at the limit passes, one byte more does not', () => {
    const frame = publish(1000);
    expect(new FrameSizeScanner(frame.length).scan(frame)).toBe(0);
    expect(new FrameSizeScanner(frame.length - 1).scan(frame)).toBe(frame.length);
  });

  it('calls a remaining length with a fifth continuation byte malformed', () => {
    expect(new FrameSizeScanner(1_000_000).scan(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]))).toBe(Infinity);
  });

  it('sees the largest length MQTT can declare (256 MB) as a 268,435,460-byte frame', () => {
    expect(new FrameSizeScanner(1_000_000).scan(Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f]))).toBe(268_435_455 + 5);
  });
});
