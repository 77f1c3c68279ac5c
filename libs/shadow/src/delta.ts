import type { ConfigValue } from '@citypulse/contracts';

/**
 * Desired keys whose value differs from the reported one, or that the device has not reported.
 * Reported keys nobody asked for are not part of it: the device may report more than is desired.
 */
export function shadowDelta(
  desired: Record<string, ConfigValue>,
  reported: Record<string, ConfigValue>,
): Record<string, ConfigValue> {
  const delta: Record<string, ConfigValue> = {};
  for (const [key, value] of Object.entries(desired)) {
    if (!Object.hasOwn(reported, key) || reported[key] !== value) delta[key] = value;
  }
  return delta;
}
