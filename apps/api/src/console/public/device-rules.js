/**
 * Which rules watch a device: of the rules of its type (GET /rules?deviceType=), those whose
 * scope takes it in, and per rule key only the most specific (device over site over city over
 * the whole type), as the rule engine picks them. Pure.
 */
export function rulesForDevice(device, rules) {
  const best = new Map();
  for (const rule of rules) {
    if (rule.enabled === false || rule.deviceType !== device.type) continue;
    const rank = scopeRank(rule.scope ?? {}, device);
    if (rank < 0) continue;
    const key = rule.key ?? rule.id;
    const current = best.get(key);
    if (!current || rank > current.rank) best.set(key, { rule, rank });
  }
  return [...best.values()].map((b) => b.rule);
}

/** -1 if the scope leaves the device out, else how specific it is. */
function scopeRank(scope, device) {
  if (scope.deviceId !== undefined) return scope.deviceId === device.id ? 3 : -1;
  if (scope.site !== undefined)
    return scope.site === device.site && (scope.city === undefined || scope.city === device.city) ? 2 : -1;
  if (scope.city !== undefined) return scope.city === device.city ? 1 : -1;
  return 0;
}
