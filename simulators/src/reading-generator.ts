import type { DeviceTypeDefinition, FieldSpec } from '@citypulse/devices';
import { seededRandom } from '@citypulse/random';
import { hashString } from './model/noise.js';

type Values = Record<string, number | boolean | string>;

/**
 * The values a field takes when nothing is wrong: its range, narrowed to the normal side of every
 * default rule's clear threshold (so grid frequency stays near 50 Hz, not mid-range at 55 Hz).
 */
export function normalBand(type: DeviceTypeDefinition, field: string): { low: number; high: number } {
  const spec = type.fields[field];
  let low = spec.min ?? 0;
  let high = spec.max ?? 100;
  for (const rule of type.defaultRules) {
    if (rule.field !== field) continue;
    if (rule.condition === 'above') high = Math.min(high, rule.clearThreshold);
    else low = Math.max(low, rule.clearThreshold);
  }
  return { low, high };
}

/**
 * Plausible readings for any catalogue device type: each numeric field wanders inside the middle
 * of its normal band, counters only grow, enums and flags mostly keep their first value.
 * Deterministic per (device id, seed). Issue #6 replaces this with per-family models.
 */
export class ReadingGenerator {
  private readonly random: () => number;
  private readonly state = new Map<string, number>();

  constructor(
    private readonly type: DeviceTypeDefinition,
    deviceId: string,
    seed = 1,
  ) {
    this.random = seededRandom(hashString(`${deviceId}:${seed}`));
  }

  next(overrides: Values = {}): Values {
    const values: Values = {};
    for (const [name, spec] of Object.entries(this.type.fields)) values[name] = this.valueOf(name, spec);
    return { ...values, ...overrides };
  }

  private valueOf(name: string, spec: FieldSpec): number | boolean | string {
    if (spec.kind === 'boolean') return this.random() < 0.01;
    if (spec.kind === 'enum') return spec.values?.[0] ?? '';
    const { low: min, high: max } = normalBand(this.type, name);
    if (spec.monotonic) {
      const next = (this.state.get(name) ?? min) + this.random() * (max - min) * 1e-6;
      this.state.set(name, next);
      return round(next, spec.kind);
    }
    // Stay inside the middle third of the normal band: well clear of default alert thresholds.
    const centre = min + (max - min) / 2;
    const previous = this.state.get(name) ?? centre;
    const step = (max - min) * 0.01 * (this.random() - 0.5);
    const next = Math.min(max - (max - min) / 3, Math.max(min + (max - min) / 3, previous + step));
    this.state.set(name, next);
    return round(next, spec.kind);
  }
}

function round(value: number, kind: FieldSpec['kind']): number {
  return kind === 'integer' ? Math.round(value) : Math.round(value * 100) / 100;
}
