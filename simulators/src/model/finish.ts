import type { DeviceTypeDefinition } from '@citypulse/devices';
import type { Values } from './effects.js';

/** Fields worth three decimals: a tenth of a hertz or of a power factor is a big change. */
const FINE = new Set(['frequency', 'power_factor']);

/**
 * Keeps model output inside the catalogue's physical ranges and at the resolution real devices
 * report (integers whole, most fields to two decimals), so equal inputs give byte-equal JSON.
 */
export function finish(type: DeviceTypeDefinition, raw: Values): Values {
  const values: Values = {};
  for (const [name, spec] of Object.entries(type.fields)) {
    const value = raw[name];
    if (value === undefined) continue;
    if (typeof value !== 'number') {
      values[name] = value;
      continue;
    }
    const clamped = Math.min(spec.max ?? Infinity, Math.max(spec.min ?? -Infinity, value));
    values[name] = spec.kind === 'integer' ? Math.round(clamped) : round(clamped, FINE.has(name) ? 3 : 2);
  }
  return values;
}

export function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  const r = Math.round(value * f) / f;
  return r === 0 ? 0 : r; // no -0 in JSON
}
