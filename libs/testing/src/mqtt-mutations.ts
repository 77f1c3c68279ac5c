export interface Mutant {
  /** How the frame was corrupted, for the failure message. */
  how: string;
  bytes: Buffer;
}

type Random = () => number;
const int = (random: Random, below: number) => Math.floor(random() * below);

/** Where the remaining length ends: 1 type byte + 1-4 length bytes. */
function headerLength(frame: Buffer): number {
  let i = 1;
  while (i < frame.length && i < 5 && frame[i] & 0x80) i++;
  return i + 1;
}

function encodeLength(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    bytes.push(byte);
  } while (value > 0);
  return bytes;
}

const withLength = (frame: Buffer, length: number[]) =>
  Buffer.concat([frame.subarray(0, 1), Buffer.from(length), frame.subarray(headerLength(frame))]);

/**
 * Ways to corrupt a valid MQTT frame, each keeping most of it intact so the parser gets past the
 * first byte: the interesting failures are deep in a packet, not in random noise.
 */
const MUTATIONS: Array<(frame: Buffer, random: Random) => Mutant> = [
  (f, r) => {
    const at = int(r, f.length);
    const bit = 1 << int(r, 8);
    const bytes = Buffer.from(f);
    bytes[at] ^= bit;
    return { how: `bit ${bit} flipped at byte ${at}`, bytes };
  },
  (f, r) => {
    const at = int(r, f.length);
    const bytes = Buffer.from(f);
    bytes[at] = int(r, 256);
    return { how: `byte ${at} set to ${bytes[at]}`, bytes };
  },
  (f, r) => {
    const keep = int(r, f.length);
    return { how: `truncated to ${keep} of ${f.length} bytes`, bytes: f.subarray(0, keep) };
  },
  (f, r) => {
    const extra = Buffer.from(Array.from({ length: 1 + int(r, 16) }, () => int(r, 256)));
    return { how: `${extra.length} garbage bytes appended`, bytes: Buffer.concat([f, extra]) };
  },
  (f, r) => {
    const declared = f.length - headerLength(f) + 1 + int(r, 1000);
    return { how: `remaining length raised to ${declared}`, bytes: withLength(f, encodeLength(declared)) };
  },
  (f, r) => {
    const declared = int(r, Math.max(1, f.length - headerLength(f)));
    return { how: `remaining length lowered to ${declared}`, bytes: withLength(f, encodeLength(declared)) };
  },
  (f) => ({ how: 'remaining length of five bytes', bytes: withLength(f, [0xff, 0xff, 0xff, 0xff, 0x01]) }),
  (f, r) => {
    const type = int(r, 16);
    const bytes = Buffer.from(f);
    bytes[0] = (type << 4) | (bytes[0] & 0x0f);
    return { how: `packet type set to ${type}`, bytes };
  },
  (f, r) => {
    const flags = int(r, 16);
    const bytes = Buffer.from(f);
    bytes[0] = (bytes[0] & 0xf0) | flags;
    return { how: `header flags set to ${flags}`, bytes };
  },
  (f, r) => {
    const from = headerLength(f) + int(r, Math.max(1, f.length - headerLength(f)));
    const length = 1 + int(r, 8);
    const bytes = Buffer.concat([f.subarray(0, from), f.subarray(from + length)]);
    return { how: `${length} bytes cut out at ${from} (length field unchanged)`, bytes };
  },
];

/** One corrupted copy of `frame`, chosen by `random`. */
export function mutate(frame: Buffer, random: Random): Mutant {
  return MUTATIONS[int(random, MUTATIONS.length)](frame, random);
}

/** Pure noise of 1 to `maxLength` bytes. */
export function noise(random: Random, maxLength: number): Mutant {
  const bytes = Buffer.from(Array.from({ length: 1 + int(random, maxLength) }, () => int(random, 256)));
  return { how: `${bytes.length} random bytes`, bytes };
}
