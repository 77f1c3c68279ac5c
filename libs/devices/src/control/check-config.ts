import type { ConfigValue } from '@citypulse/contracts';
import type { DeviceTypeDefinition } from '../catalogue/device-type.js';
import { checkValues, type CheckedValues } from './check-values.js';

/**
 * A partial update of a device's configuration (desired by an operator, or reported by the
 * device): keys from the type's config schema, values within their specs, null to remove a key.
 * The schema bounds both the keys and the values, so a shadow can never grow past the catalogue.
 */
export function checkConfigPatch(type: DeviceTypeDefinition, patch: unknown): CheckedValues<ConfigValue | null> {
  return checkValues(type.config, patch, { allowNull: true, what: 'config key', typeName: type.name });
}
