/**
 * Named measurement helpers, in the manner of zigbee-herdsman-converters' `temperature()` /
 * `numeric({unit, valueMin, valueMax})`: a device type lists its fields with these, so one
 * definition drives validation, storage, simulators and the README table.
 */

/** The value a field carries; each kind maps to one InfluxDB field type (float, integer, boolean, string). */
export type FieldKind = 'number' | 'integer' | 'boolean' | 'enum' | 'text';

export interface FieldSpec {
  kind: FieldKind;
  /** Display unit, as shown in docs and dashboards (°C, kW …). */
  unit?: string;
  /** The SenML unit symbol (RFC 8428 / RFC 8798 registry) when it differs from `unit`, e.g. `Cel` for °C. */
  senmlUnit?: string;
  /** Inclusive bounds of what the device can physically report; anything outside is a fault, not weather. */
  min?: number;
  max?: number;
  /** Allowed values of an `enum` field. */
  values?: readonly string[];
  /** A `text` value must match this regular expression (its source) … */
  pattern?: string;
  /** … and be at most this many characters. */
  maxLength?: number;
  description: string;
  /** A running total that only grows (energy meters): rules look at its rate, not its level. */
  monotonic?: boolean;
}

/** Overrides every named helper accepts, so a device type can narrow a range to its hardware. */
export interface FieldOptions {
  min?: number;
  max?: number;
  description?: string;
}

export interface NumericOptions {
  unit?: string;
  senmlUnit?: string;
  min?: number;
  max?: number;
  description: string;
  monotonic?: boolean;
}

export function numeric(options: NumericOptions): FieldSpec {
  return withoutUndefined({ kind: 'number', ...options });
}

export function integer(options: NumericOptions): FieldSpec {
  return withoutUndefined({ kind: 'integer', ...options });
}

export function enumeration(values: readonly string[], description: string): FieldSpec {
  return { kind: 'enum', values: Object.freeze([...values]), description };
}

/** Free text of a shape: command params such as a URL or a hash (no telemetry field is text). */
export function text(options: { pattern: RegExp; maxLength: number; description: string }): FieldSpec {
  return {
    kind: 'text',
    pattern: options.pattern.source,
    maxLength: options.maxLength,
    description: options.description,
  };
}

export function flag(description: string): FieldSpec {
  return { kind: 'boolean', description };
}

function named(defaults: NumericOptions, options: FieldOptions): FieldSpec {
  return numeric({ ...defaults, ...withoutUndefined(options) });
}

export const temperature = (o: FieldOptions = {}) =>
  named({ unit: '°C', senmlUnit: 'Cel', min: -40, max: 85, description: 'Temperature' }, o);
export const humidity = (o: FieldOptions = {}) =>
  named({ unit: '%', senmlUnit: '%RH', min: 0, max: 100, description: 'Relative humidity' }, o);
export const co2 = (o: FieldOptions = {}) =>
  named({ unit: 'ppm', min: 0, max: 5000, description: 'CO₂ concentration' }, o);
export const voltage = (o: FieldOptions = {}) => named({ unit: 'V', min: 0, max: 300, description: 'RMS voltage' }, o);
export const current = (o: FieldOptions = {}) => named({ unit: 'A', min: 0, max: 1000, description: 'RMS current' }, o);
export const power = (o: FieldOptions = {}) => named({ unit: 'kW', min: 0, max: 1000, description: 'Active power' }, o);
export const frequency = (o: FieldOptions = {}) =>
  named({ unit: 'Hz', min: 45, max: 65, description: 'Grid frequency' }, o);
export const powerFactor = (o: FieldOptions = {}) =>
  named({ senmlUnit: '/', min: -1, max: 1, description: 'Power factor' }, o);
export const speed = (o: FieldOptions = {}) => named({ unit: 'km/h', min: 0, max: 250, description: 'Speed' }, o);
export const percentage = (o: FieldOptions = {}) =>
  named({ unit: '%', min: 0, max: 100, description: 'Share in percent' }, o);
export const length = (o: FieldOptions = {}) => named({ unit: 'm', min: 0, max: 10_000, description: 'Length' }, o);

/** A non-negative whole number of events or objects, per reporting interval unless the description says otherwise. */
export function count(o: FieldOptions = {}): FieldSpec {
  return integer({ unit: 'count', min: 0, max: 100_000, description: 'Count', ...withoutUndefined(o) });
}

/** An energy total in kWh that only grows (until the meter wraps or is replaced). */
export function energyCounter(o: FieldOptions = {}): FieldSpec {
  return numeric({
    unit: 'kWh',
    min: 0,
    max: 1e9,
    description: 'Energy total',
    monotonic: true,
    ...withoutUndefined(o),
  });
}

/** `{max: undefined}` must not erase a default when spread, nor show up as a key in the catalogue. */
function withoutUndefined<T extends object>(value: T): T {
  const out = {} as T;
  for (const key of Object.keys(value) as Array<keyof T>) {
    if (value[key] !== undefined) out[key] = value[key];
  }
  return out;
}
