import { defineDeviceType } from './device-type.js';
import {
  current,
  energyCounter,
  enumeration,
  flag,
  frequency,
  integer,
  power,
  powerFactor,
  temperature,
  voltage,
} from './fields.js';

export const electricityMeter = defineDeviceType({
  name: 'electricity-meter',
  family: 'energy',
  title: 'Electricity meter',
  description: 'Low-voltage supply meter (single phase or phase-averaged). Negative power is export.',
  reportingIntervalS: 60,
  fields: {
    voltage: voltage(),
    current: current({ max: 2000 }),
    active_power: power({ min: -500, max: 500, description: 'Active power; negative when exporting' }),
    energy: energyCounter({ description: 'Imported energy register' }),
    power_factor: powerFactor(),
    frequency: frequency(),
  },
  defaultRules: [
    {
      id: 'voltage-high',
      field: 'voltage',
      condition: 'above',
      threshold: 253,
      clearThreshold: 250,
      forSeconds: 60,
      severity: 'warning',
      description: 'Overvoltage: above 253 V (230 V + 10 %)',
    },
    {
      id: 'voltage-low',
      field: 'voltage',
      condition: 'below',
      threshold: 198,
      clearThreshold: 202,
      forSeconds: 60,
      severity: 'warning',
      description: 'Undervoltage: below 198 V',
    },
    {
      id: 'frequency-high',
      field: 'frequency',
      condition: 'above',
      threshold: 50.5,
      clearThreshold: 50.2,
      forSeconds: 10,
      severity: 'critical',
      description: 'Grid over-frequency: above 50.5 Hz',
    },
    {
      id: 'frequency-low',
      field: 'frequency',
      condition: 'below',
      threshold: 49.5,
      clearThreshold: 49.8,
      forSeconds: 10,
      severity: 'critical',
      description: 'Grid under-frequency: below 49.5 Hz',
    },
  ],
  config: {
    demand_window_min: integer({
      unit: 'min',
      min: 1,
      max: 60,
      description: 'Window over which the meter averages maximum demand',
    }),
  },
  commands: {
    'reset-demand': { description: 'Reset the maximum-demand register (billing period change)', params: {} },
  },
});

export const solarInverter = defineDeviceType({
  name: 'solar-inverter',
  family: 'energy',
  title: 'Solar PV inverter',
  description: 'Grid-tied photovoltaic inverter: DC input, AC output, yield counter and heatsink temperature.',
  reportingIntervalS: 60,
  fields: {
    dc_voltage: voltage({ max: 1500, description: 'DC string voltage' }),
    ac_power: power({ max: 250, description: 'AC output power' }),
    energy: energyCounter({ description: 'Lifetime yield' }),
    inverter_temp: temperature({ max: 110, description: 'Heatsink temperature' }),
    state: enumeration(['off', 'starting', 'mppt', 'throttled', 'fault'], 'Operating state'),
    fault: flag('Inverter reports a fault'),
  },
  defaultRules: [
    {
      id: 'inverter-hot',
      field: 'inverter_temp',
      condition: 'above',
      threshold: 75,
      clearThreshold: 70,
      forSeconds: 300,
      severity: 'warning',
      description: 'Heatsink above 75 °C: the inverter will derate',
    },
  ],
  config: {
    export_limit_kw: power({ max: 250, description: 'Most AC power the inverter may feed into the grid' }),
  },
});

export const energyTypes = [electricityMeter, solarInverter];
