import type { FieldSpec } from './fields.js';
import { COMMAND_NAME, COMMON_COMMANDS, COMMON_CONFIG, CONFIG_KEY, type CommandSpec } from './control.js';

/**
 * A device family is also its InfluxDB measurement: one measurement per family keeps series comparable across vendors.
 */
export type DeviceFamily = 'building' | 'energy' | 'traffic';

export type RuleCondition = 'above' | 'below';
export type RuleSeverity = 'info' | 'warning' | 'critical';

/**
 * An alert rule every device of the type gets unless an operator overrides it.
 * Raised when `field` stays beyond `threshold` for `forSeconds`; resolved only once it is back
 * past `clearThreshold` (hysteresis), so a value hovering at the threshold does not flap.
 */
export interface DefaultRule {
  id: string;
  field: string;
  condition: RuleCondition;
  threshold: number;
  clearThreshold: number;
  forSeconds: number;
  severity: RuleSeverity;
  description: string;
}

export interface DeviceTypeDefinition {
  /** Kebab-case id, e.g. `env-sensor`; what a device is provisioned with. */
  name: string;
  family: DeviceFamily;
  /** The InfluxDB measurement, always the family name. */
  measurement: DeviceFamily;
  title: string;
  description: string;
  /** How often a healthy device reports; deadman checks derive their silence window from it. */
  reportingIntervalS: number;
  fields: Readonly<Record<string, FieldSpec>>;
  defaultRules: readonly DefaultRule[];
  /** Configuration operators may set through the shadow: the common keys (control.ts), then the type's own. */
  config: Readonly<Record<string, FieldSpec>>;
  /** Commands the device understands: the common ones (control.ts), then the type's own. */
  commands: Readonly<Record<string, CommandSpec>>;
}

export type DeviceTypeInput = Omit<DeviceTypeDefinition, 'measurement' | 'config' | 'commands'> & {
  /** The type's own config keys, added to the common ones. */
  config?: Readonly<Record<string, FieldSpec>>;
  /** The type's own commands, added to the common ones. */
  commands?: Readonly<Record<string, CommandSpec>>;
};

const TYPE_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
/** Field names become InfluxDB field keys and JSON keys in firmware: keep them snake_case. */
const FIELD_NAME = /^[a-z][a-z0-9_]{0,62}$/;
/** `time` is InfluxDB's own column; `ts` is the reading's timestamp key. */
const RESERVED_FIELDS = new Set(['time', 'ts']);

/**
 * Builds a frozen definition and refuses an inconsistent one at import time, so a typo in the
 * catalogue fails every test instead of silently rejecting (or accepting) real telemetry.
 */
export function defineDeviceType(input: DeviceTypeInput): DeviceTypeDefinition {
  const problems = definitionProblems(input);
  if (problems.length > 0) throw new Error(`device type ${input.name}: ${problems.join('; ')}`);
  const fields: Record<string, FieldSpec> = {};
  for (const [name, spec] of Object.entries(input.fields)) fields[name] = Object.freeze({ ...spec });
  const config: Record<string, FieldSpec> = {};
  for (const [key, spec] of Object.entries({ ...COMMON_CONFIG, ...input.config }))
    config[key] = Object.freeze({ ...spec });
  const commands: Record<string, CommandSpec> = {};
  for (const [name, spec] of Object.entries({ ...COMMON_COMMANDS, ...input.commands })) {
    commands[name] = Object.freeze({ description: spec.description, params: Object.freeze({ ...spec.params }) });
  }
  return Object.freeze({
    ...input,
    measurement: input.family,
    fields: Object.freeze(fields),
    defaultRules: Object.freeze(input.defaultRules.map((rule) => Object.freeze({ ...rule }))),
    config: Object.freeze(config),
    commands: Object.freeze(commands),
  });
}

export function definitionProblems(input: DeviceTypeInput): string[] {
  const problems: string[] = [];
  if (!TYPE_NAME.test(input.name)) problems.push('name must be kebab-case');
  if (!(input.reportingIntervalS > 0)) problems.push('reportingIntervalS must be positive');
  const fieldNames = Object.keys(input.fields);
  if (fieldNames.length === 0) problems.push('has no fields');
  for (const name of fieldNames) problems.push(...fieldProblems(name, input.fields[name]));
  const ruleIds = new Set<string>();
  for (const rule of input.defaultRules) {
    if (ruleIds.has(rule.id)) problems.push(`rule id ${rule.id} is used twice`);
    ruleIds.add(rule.id);
    problems.push(...ruleProblems(rule, input.fields[rule.field]));
  }
  problems.push(...controlProblems(input));
  return problems;
}

/**
 * A type may add config keys and commands, never redefine a common one: firmware relies on those meaning the same
 * everywhere.
 */
function controlProblems(input: DeviceTypeInput): string[] {
  const problems: string[] = [];
  for (const [key, spec] of Object.entries(input.config ?? {})) {
    if (!CONFIG_KEY.test(key)) problems.push(`config key ${key} must be snake_case`);
    if (Object.hasOwn(COMMON_CONFIG, key)) problems.push(`config key ${key} is common to every type`);
    problems.push(...specProblems(`config ${key}`, spec));
  }
  for (const [name, command] of Object.entries(input.commands ?? {})) {
    if (!COMMAND_NAME.test(name)) problems.push(`command ${name} must be kebab-case`);
    if (Object.hasOwn(COMMON_COMMANDS, name)) problems.push(`command ${name} is common to every type`);
    for (const [param, spec] of Object.entries(command.params)) {
      if (!CONFIG_KEY.test(param)) problems.push(`command ${name}: param ${param} must be snake_case`);
      problems.push(...specProblems(`command ${name} param ${param}`, spec));
    }
  }
  return problems;
}

function fieldProblems(name: string, spec: FieldSpec): string[] {
  const problems: string[] = [];
  if (!FIELD_NAME.test(name) || RESERVED_FIELDS.has(name))
    problems.push(`field name ${name} must be snake_case and not time/ts`);
  return [...problems, ...specProblems(name, spec)];
}

function specProblems(name: string, spec: FieldSpec): string[] {
  const problems: string[] = [];
  if (spec.min !== undefined && spec.max !== undefined && spec.min > spec.max)
    problems.push(`${name}: min is above max`);
  if (
    spec.kind === 'enum' &&
    (!spec.values || spec.values.length === 0 || new Set(spec.values).size !== spec.values.length)
  ) {
    problems.push(`${name}: an enum needs distinct values`);
  }
  if (spec.monotonic && spec.kind !== 'number' && spec.kind !== 'integer')
    problems.push(`${name}: only numbers can be monotonic`);
  return problems;
}

function ruleProblems(rule: DefaultRule, spec: FieldSpec | undefined): string[] {
  const at = `rule ${rule.id}`;
  if (!spec) return [`${at}: field ${rule.field} does not exist`];
  // Thresholds compare numbers; a boolean or enum would need another kind of condition.
  if (spec.kind !== 'number' && spec.kind !== 'integer') return [`${at}: field ${rule.field} is not numeric`];
  const problems: string[] = [];
  const hysteresisOk =
    rule.condition === 'above' ? rule.clearThreshold <= rule.threshold : rule.clearThreshold >= rule.threshold;
  if (!hysteresisOk) problems.push(`${at}: clearThreshold must be on the normal side of threshold`);
  for (const value of [rule.threshold, rule.clearThreshold]) {
    if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
      problems.push(`${at}: ${value} is outside the field's range, so the rule could never change state`);
    }
  }
  if (!(rule.forSeconds >= 0)) problems.push(`${at}: forSeconds must not be negative`);
  return problems;
}
