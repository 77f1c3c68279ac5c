import {
  deadmanSilenceUntil,
  evaluateDeadman,
  isDeadmanRule,
  recordTransition,
  type DeadmanObservation,
  type DeviceRuleStates,
  type RuleDefinition,
  type RuleTarget,
} from '@citypulse/rules';

/**
 * The scheduled check of one device against its deadman rules. Pure, like decideDevice, and
 * stored the same way (the same per-device state, under the same optimistic lock), so a reading
 * evaluated at the same moment and the check cannot both decide on stale state.
 */
export function decideDeadman(
  current: DeviceRuleStates,
  target: RuleTarget,
  rules: RuleDefinition[],
  observation: DeadmanObservation,
): DeviceRuleStates {
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

/**
 * The check of a device of an ended replay session: silent for a window before the end of the
 * replayed traffic (`endMs`, event time) raises once, as a backtest's end of traffic does; the
 * wall clock plays no part, so the devices a replay leaves behind do not go on alerting.
 * `lastSeenMs` is the newest reading ingest has handed to the rules (LastSeenIndex): a rule state
 * older than that has readings still on their way, and is judged at a later check.
 */
export function decideDeadmanAtEnd(
  current: DeviceRuleStates,
  target: RuleTarget,
  rules: RuleDefinition[],
  endMs: number,
  lastSeenMs: number,
): DeviceRuleStates {
  const states = { ...current.states };
  const outbox = [...current.outbox];
  for (const rule of rules) {
    if (!isDeadmanRule(rule)) continue;
    const previous = states[rule.id];
    if (previous && previous.rule.lastEventMs < lastSeenMs) continue;
    const result = deadmanSilenceUntil(rule, previous?.rule, endMs);
    if (!result) continue;
    const stored = { ...previous, rule: result.state };
    if (result.transition) recordTransition(outbox, stored, rule, target, result.transition, result.state);
    states[rule.id] = stored;
  }
  return { states, outbox };
}
