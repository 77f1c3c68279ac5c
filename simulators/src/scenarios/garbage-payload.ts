import type { DeviceTypeDefinition } from '@citypulse/devices';
import type { Values } from '../model/effects.js';
import type { GarbageVariant } from './scenario.js';

/**
 * A payload the broker must refuse with the reason the variant is named after; built from the
 * device's real reading so it looks like what buggy firmware sends, not random bytes.
 */
export function garbagePayload(
  variant: GarbageVariant,
  type: DeviceTypeDefinition,
  ts: number,
  values: Values,
): string {
  const [field, spec] = Object.entries(type.fields).find(([, s]) => s.kind === 'number' || s.kind === 'integer')!;
  const good = JSON.stringify({ ts, values });
  switch (variant) {
    case 'malformed_json':
      return good.slice(0, Math.floor(good.length / 2)); // cut off mid-transmission
    case 'invalid_shape':
      return JSON.stringify({ timestamp: ts, value: values[field] });
    case 'empty_values':
      return JSON.stringify({ ts, values: {} });
    case 'unknown_field':
      return JSON.stringify({ ts, values: { ...values, battery_v: 3.1 } });
    case 'wrong_type':
      return JSON.stringify({ ts, values: { ...values, [field]: String(values[field]) } });
    case 'not_finite':
      return `{"ts":${ts},"values":{"${field}":1e999}}`;
    case 'out_of_range':
      return JSON.stringify({ ts, values: { ...values, [field]: (spec.max ?? 0) * 2 + 1 } });
  }
}
