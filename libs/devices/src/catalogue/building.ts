import { defineDeviceType } from './device-type.js';
import { co2, count, enumeration, flag, humidity, integer, power, temperature } from './fields.js';

export const envSensor = defineDeviceType({
  name: 'env-sensor',
  family: 'building',
  title: 'Indoor environment sensor',
  description: 'Room climate and air quality: temperature, humidity, CO₂ and people count.',
  reportingIntervalS: 60,
  fields: {
    temperature: temperature({ description: 'Air temperature' }),
    humidity: humidity(),
    co2: co2(),
    occupancy: count({ max: 2000, description: 'People in the room right now' }),
  },
  defaultRules: [
    {
      id: 'co2-high',
      field: 'co2',
      condition: 'above',
      threshold: 1500,
      clearThreshold: 1200,
      forSeconds: 60,
      severity: 'warning',
      description: 'Poor ventilation: CO₂ above 1500 ppm',
    },
    {
      id: 'temperature-high',
      field: 'temperature',
      condition: 'above',
      threshold: 35,
      clearThreshold: 32,
      forSeconds: 120,
      severity: 'critical',
      description: 'Room overheating: above 35 °C',
    },
    {
      id: 'temperature-low',
      field: 'temperature',
      condition: 'below',
      threshold: 5,
      clearThreshold: 8,
      forSeconds: 300,
      severity: 'warning',
      description: 'Frost risk: below 5 °C',
    },
    {
      id: 'humidity-high',
      field: 'humidity',
      condition: 'above',
      threshold: 70,
      clearThreshold: 65,
      forSeconds: 900,
      severity: 'info',
      description: 'Mould risk: humidity above 70 % for 15 minutes',
    },
  ],
  config: {
    co2_alarm_ppm: co2({ min: 400, description: 'The sensor’s own CO₂ warning light turns on above this' }),
    display_enabled: flag('Show readings on the device’s display'),
  },
});

export const hvacUnit = defineDeviceType({
  name: 'hvac-unit',
  family: 'building',
  title: 'HVAC unit',
  description: 'Air handling / heat pump unit: supply and return temperatures, electrical power and operating mode.',
  reportingIntervalS: 60,
  fields: {
    supply_temp: temperature({ min: -20, max: 95, description: 'Supply (flow) temperature' }),
    return_temp: temperature({ min: -20, max: 95, description: 'Return temperature' }),
    power: power({ max: 500, description: 'Electrical power draw' }),
    mode: enumeration(['heat', 'cool', 'fan', 'off'], 'Operating mode'),
    fault: flag('Unit reports a fault'),
  },
  defaultRules: [
    {
      id: 'supply-overheat',
      field: 'supply_temp',
      condition: 'above',
      threshold: 80,
      clearThreshold: 75,
      forSeconds: 60,
      severity: 'critical',
      description: 'Supply temperature above 80 °C',
    },
    {
      id: 'power-high',
      field: 'power',
      condition: 'above',
      threshold: 450,
      clearThreshold: 400,
      forSeconds: 300,
      severity: 'warning',
      description: 'Power draw above 450 kW for 5 minutes',
    },
  ],
  config: {
    setpoint_temp: temperature({ min: 5, max: 35, description: 'Room temperature the unit regulates to' }),
    mode: enumeration(['heat', 'cool', 'fan', 'off'], 'Operating mode to run in'),
  },
});

export const lift = defineDeviceType({
  name: 'lift',
  family: 'building',
  title: 'Lift (elevator) controller',
  description: 'Lift status, fault flag, trips and motor temperature.',
  reportingIntervalS: 60,
  fields: {
    status: enumeration(['idle', 'moving', 'doors_open', 'maintenance', 'out_of_service'], 'Current status'),
    fault: flag('Controller reports a fault'),
    trips: count({ max: 1000, description: 'Trips since the previous reading' }),
    motor_temp: temperature({ min: -20, max: 150, description: 'Drive motor temperature' }),
  },
  defaultRules: [
    {
      id: 'motor-overheat',
      field: 'motor_temp',
      condition: 'above',
      threshold: 90,
      clearThreshold: 80,
      forSeconds: 60,
      severity: 'critical',
      description: 'Drive motor above 90 °C',
    },
  ],
  config: {
    door_hold_s: integer({ unit: 's', min: 1, max: 60, description: 'How long the doors stay open at a floor' }),
  },
  commands: {
    'return-to-ground': {
      description: 'Finish the current trip, go to the ground floor and open the doors',
      params: {},
    },
  },
});

export const buildingTypes = [envSensor, hvacUnit, lift];
