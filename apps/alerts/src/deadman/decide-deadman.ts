import { evaluateDeadman, isDeadmanRule, recordTransition, type DeadmanObservation, type DeviceRuleStates, type RuleDefinition, type RuleTarget } from '@citypulse/rules';

/**
 * The scheduled check of one device against its deadman rules. Pure, like decideDevice, and
 * stored the same way (the same per-device state, under the same optimistic lock), so a reading
 * evaluated at the same moment and the check cannot both decide on stale state.
 */
export function decideDeadman(current: DeviceRuleStates, target: RuleTarget, rules: RuleDefinition[], observation: DeadmanObservation): DeviceRuleStates {
  const states = { ...current.states };
  const outbox = [...current.outbox];
  for (const rule of rules) {
    if (!isDeadmanRule(rule)) continue;
    const previous = states[rule.id];
    const result = evaluateDeadman(rule, previous?.rule, observation);
    const stored = { ...previous, rule: result.state };
    if (result.transition) recordTransition(outbox, stored, rule, target, result.transition, result.state);
    states[rule.id] = stored;
  }
  return { states, outbox };
}
