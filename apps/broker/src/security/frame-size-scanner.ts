/** The MQTT remaining length is 1-4 bytes of 7 bits each [MQTT-2.2.3]; a fifth would be malformed. */
const MAX_LENGTH_BYTES = 4;

/**
 * Follows MQTT frame boundaries through a byte stream, chunk by chunk, reading only each fixed
 * header: type byte, then the remaining length. It answers one question before the parser
 * buffers anything: does a frame declare more bytes than we are willing to hold? (MQTT lets a
 * frame declare 256 MB, and the parser would wait for and keep every byte.)
 */
export class FrameSizeScanner {
  /** Body bytes of the current frame still to pass. */
  private toSkip = 0;
  /** The fixed header read so far when a chunk ends inside it. */
  private header: number[] = [];

  constructor(private readonly maxFrameBytes: number) {}

  /**
   * Scans the next chunk of the stream. Returns the size (fixed header included) of the first
   * frame that exceeds the limit, Infinity for a malformed remaining length, or 0 when every
   * frame begun so far is within the limit.
   */
  scan(chunk: Uint8Array): number {
    let pos = 0;
    while (pos < chunk.length) {
      if (this.toSkip > 0) {
        const take = Math.min(this.toSkip, chunk.length - pos);
        this.toSkip -= take;
        pos += take;
        continue;
      }
      const byte = chunk[pos++];
      this.header.push(byte);
      // header[0] is the type byte; the length bytes follow, the last one without the 0x80 bit.
      if (this.header.length === 1 || byte & 0x80) {
        if (this.header.length > MAX_LENGTH_BYTES) return Infinity;
        continue;
      }
      const remaining = remainingLength(this.header);
      const frameBytes = this.header.length + remaining;
      this.header = [];
      if (frameBytes > this.maxFrameBytes) return frameBytes;
      this.toSkip = remaining;
    }
    return 0;
  }
}

function remainingLength(header: number[]): number {
  let value = 0;
  for (let i = header.length - 1; i >= 1; i--) value = value * 128 + (header[i] & 0x7f);
  return value;
}
