import type { DeviceTypeDefinition, FieldSpec } from '@citypulse/devices';
import { seededRandom, seedFrom } from './random.js';

type Values = Record<string, number | boolean | string>;

/**
 * Plausible readings for any catalogue device type: each numeric field wanders around the
 * middle of its range, counters only grow, enums and flags mostly keep their first value.
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
    this.random = seededRandom(seedFrom(`${deviceId}:${seed}`));
  }

  next(overrides: Values = {}): Values {
    const values: Values = {};
    for (const [name, spec] of Object.entries(this.type.fields)) values[name] = this.valueOf(name, spec);
    return { ...values, ...overrides };
  }

  private valueOf(name: string, spec: FieldSpec): number | boolean | string {
    if (spec.kind === 'boolean') return this.random() < 0.01;
    if (spec.kind === 'enum') return spec.values?.[0] ?? '';
    const min = spec.min ?? 0;
    const max = spec.max ?? 100;
    if (spec.monotonic) {
      const next = (this.state.get(name) ?? min) + this.random() * (max - min) * 1e-6;
      this.state.set(name, next);
      return round(next, spec.kind);
    }
    // Stay inside the middle third of the range: well clear of default alert thresholds.
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
