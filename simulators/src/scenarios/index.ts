import { clockSkew, dropouts, garbage, reconnectStorm, stuckValue } from './device-faults.js';
import { gridFault } from './grid-fault.js';
import { heatwave } from './heatwave.js';
import { normal } from './normal.js';
import type { Scenario } from './scenario.js';
import { trafficIncident } from './traffic-incident.js';

export const SCENARIOS: readonly Scenario[] = [
  normal,
  heatwave,
  gridFault,
  trafficIncident,
  stuckValue,
  dropouts,
  garbage,
  clockSkew,
  reconnectStorm,
];

export function getScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}

export {
  envelope,
  requiredTypes,
  GARBAGE_VARIANTS,
  type Fault,
  type GarbageVariant,
  type Scenario,
  type ScenarioContext,
  type ScenarioWindow,
} from './scenario.js';
