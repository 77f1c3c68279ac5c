/**
 * Deterministic randomness as pure functions of (seed, key, position) rather than a PRNG stream:
 * a device's value at a simulated time does not depend on how many values were drawn before it,
 * so one device, one hour or one scenario can change without reshuffling everything else.
 */

/** A 32-bit hash of a string (FNV-1a), to turn device ids and names into noise keys. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Mixes integers into one well-spread 32-bit value (murmur3's finaliser after each step). */
export function mix(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    // Positions can exceed 32 bits (ms since epoch / a period): fold the high part in too.
    const low = part >>> 0;
    const high = Math.floor(part / 4294967296) >>> 0;
    h = fmix(h ^ low);
    h = fmix(h ^ high);
  }
  return h >>> 0;
}

function fmix(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Uniform in [0, 1) for the given key parts. */
export function uniform(...parts: number[]): number {
  return mix(...parts) / 4294967296;
}

/** Standard normal for the given key parts (Box–Muller on two uniforms). */
export function gaussian(...parts: number[]): number {
  const u1 = Math.max(uniform(...parts, 1), 1e-12);
  const u2 = uniform(...parts, 2);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** A uniform pick from a list, keyed. */
export function pick<T>(items: readonly T[], ...parts: number[]): T {
  return items[Math.floor(uniform(...parts) * items.length)];
}

/**
 * Smooth noise in [-1, 1] over time: random values on a lattice every `periodMs`, blended with
 * a cosine curve in between. Weather fronts, load wander and sensor drift are this at
 * different periods. Pure in `tMs`.
 */
export function smoothNoise(key: number, tMs: number, periodMs: number): number {
  const x = tMs / periodMs;
  const i = Math.floor(x);
  const f = x - i;
  const a = uniform(key, i) * 2 - 1;
  const b = uniform(key, i + 1) * 2 - 1;
  const w = (1 - Math.cos(Math.PI * f)) / 2;
  return a + (b - a) * w;
}

/** Two octaves of smooth noise, for wander that is slow but not perfectly smooth. */
export function wander(key: number, tMs: number, periodMs: number): number {
  return (smoothNoise(key, tMs, periodMs) * 2 + smoothNoise(key ^ 0x5bd1e995, tMs, periodMs / 4)) / 3;
}
