import {
  evaluate,
  recordTransition,
  type DeviceRuleStates,
  type RuleDefinition,
  type RuleTarget,
  type StoredRuleState,
} from '@citypulse/rules';
import type { IndicatorDefinition, IndicatorRule, IndicatorValue } from '@citypulse/indicators';

/*
 * Alert rules over a cluster indicator. Pure (unit-tested in indicator-rules.spec.ts). An
 * indicator's value is the reading of a virtual device, so libs/rules evaluates it as any reading
 * (threshold for a duration, hysteresis). The alert goes to the operators of every city that
 * contributed to the value that raised it: one alert per contributing city, in that city's alert
 * list, live stream and console, each handled (acknowledged, resolved) by that city's operators;
 * no other city sees it. The cities are fixed when the alert is raised and keep it until it
 * resolves, even if one stops sharing meanwhile.
 */

/** The device type the alerts of indicator rules carry. */
export const INDICATOR_DEVICE_TYPE = 'cluster-indicator';
/** The site they carry: the region, not a place in one city. */
export const INDICATOR_SITE = 'cluster';

/** The virtual device whose rule state the indicator's rules keep (':' is no real device's). */
export function indicatorStateDevice(indicatorId: string): string {
  return `indicator:${indicatorId}`;
}

/** The device an indicator alert names in a city: one per city, so each city holds its own alert. */
export function indicatorAlertDevice(indicatorId: string, city: string): string {
  return `indicator:${indicatorId}:${city}`;
}

/** A rule's state, with the alert it holds open in each city it was routed to. */
type IndicatorRuleState = StoredRuleState & { openAlerts?: Record<string, string> };

/** Folds one new indicator value through the indicator's rules; transitions go to the outbox, one per city. */
export function decideIndicatorRules(
  current: DeviceRuleStates,
  definition: IndicatorDefinition,
  value: IndicatorValue,
): DeviceRuleStates {
  if (value.value === null) return current;
  const reading = { tsMs: Date.parse(value.time), value: value.value };
  const states = { ...current.states };
  const outbox = [...current.outbox];
  for (const indicatorRule of definition.rules) {
    if (!indicatorRule.enabled) continue;
    const rule = asRuleDefinition(definition, indicatorRule);
    const stored = states[indicatorRule.id] as IndicatorRuleState | undefined;
    const result = evaluate({ ...rule, condition: indicatorRule.condition }, stored?.rule, reading, {
      allowedLatenessMs: 0,
    });
    const openAlerts = { ...stored?.openAlerts };
    const t = result.transition;
    if (t) {
      const cities = t.kind === 'raised' ? value.provenance.contributingCities : Object.keys(openAlerts);
      for (const city of cities) {
        const perCity: StoredRuleState = { rule: result.state, openAlertId: openAlerts[city] };
        recordTransition(outbox, perCity, rule, targetIn(definition.id, city), t, result.state);
        if (perCity.openAlertId) openAlerts[city] = perCity.openAlertId;
        else delete openAlerts[city];
      }
    }
    states[indicatorRule.id] = { rule: result.state, ...(Object.keys(openAlerts).length > 0 && { openAlerts }) };
  }
  return { states, outbox };
}

/**
 * The indicator rule as libs/rules sees it: its id prefixed by the indicator's, on the virtual device's field `value`.
 */
function asRuleDefinition(definition: IndicatorDefinition, rule: IndicatorRule): RuleDefinition {
  const description =
    rule.description ??
    `${definition.title} ${describeCondition(rule)}${rule.forSeconds > 0 ? ` for ${rule.forSeconds} s` : ''}`;
  return { ...rule, id: `${definition.id}.${rule.id}`, deviceType: INDICATOR_DEVICE_TYPE, field: 'value', description };
}

function describeCondition(rule: IndicatorRule): string {
  const c = rule.condition;
  if (c.kind === 'above') return `above ${c.threshold}`;
  if (c.kind === 'below') return `below ${c.threshold}`;
  if (c.kind === 'outside') return `outside ${c.low}–${c.high}`;
  return `changing faster than allowed`;
}

function targetIn(indicatorId: string, city: string): RuleTarget {
  return {
    deviceId: indicatorAlertDevice(indicatorId, city),
    deviceType: INDICATOR_DEVICE_TYPE,
    city,
    site: INDICATOR_SITE,
  };
}
