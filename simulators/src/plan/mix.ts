import { deviceTypes } from '@citypulse/devices';

/** Relative share of each device type in a run. */
export type Mix = Record<string, number>;

/** A city's devices in plausible proportions: many room sensors and detectors, fewer plant items. */
export const DEFAULT_MIX: Mix = {
  'env-sensor': 4,
  'hvac-unit': 1,
  lift: 1,
  'electricity-meter': 2,
  'solar-inverter': 1,
  'traffic-detector': 3,
  'signal-controller': 1,
};

/**
 * Parses `env-sensor=4,hvac-unit=1` or by family `building=2,traffic=1` (a family's weight is
 * split evenly over its types). Throws naming the bad entry.
 */
export function parseMix(text: string): Mix {
  const mix: Mix = {};
  for (const entry of text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [name, weightText = '1'] = entry.split('=');
    const weight = Number(weightText);
    if (!(weight >= 0) || !Number.isFinite(weight))
      throw new Error(`mix entry "${entry}": weight must be a non-negative number`);
    const types = Object.hasOwn(deviceTypes, name)
      ? [name]
      : Object.values(deviceTypes)
          .filter((t) => t.family === name)
          .map((t) => t.name);
    if (types.length === 0)
      throw new Error(
        `mix entry "${entry}": not a device type or family (${Object.keys(deviceTypes).join(', ')}, building, ` +
          `energy, traffic)`,
      );
    for (const type of types) mix[type] = (mix[type] ?? 0) + weight / types.length;
  }
  if (!Object.values(mix).some((w) => w > 0)) throw new Error('mix gives every device type weight 0');
  return mix;
}

/**
 * Splits `total` in proportion to `weights` (largest remainder, ties to the earlier entry), giving
 * every positive weight at least one when there are enough to go round.
 */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (total <= 0 || sum <= 0) return weights.map(() => 0);
  const positive = weights.filter((w) => w > 0).length;
  const floor = total >= positive ? 1 : 0;
  const counts: number[] = weights.map((w) => (w > 0 ? floor : 0));
  const rest = total - counts.reduce((a, b) => a + b, 0);
  const quotas = weights.map((w) => (w / sum) * rest);
  quotas.forEach((q, i) => (counts[i] += Math.floor(q)));
  let left = total - counts.reduce((a, b) => a + b, 0);
  const order = quotas
    .map((q, i) => ({ i, r: q - Math.floor(q), w: weights[i] }))
    .sort((a, b) => b.r - a.r || b.w - a.w || a.i - b.i);
  for (const { i, w } of order) {
    if (left === 0) break;
    if (w > 0) {
      counts[i]++;
      left--;
    }
  }
  return counts;
}
