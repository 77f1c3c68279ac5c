import { defineDeviceType } from './device-type.js';
import { count, enumeration, flag, integer, length, percentage, speed } from './fields.js';

export const trafficDetector = defineDeviceType({
  name: 'traffic-detector',
  family: 'traffic',
  title: 'Traffic detector',
  description: 'Loop / radar detector on one approach: flow, speed, lane occupancy and queue length per interval.',
  reportingIntervalS: 60,
  fields: {
    vehicle_count: count({ max: 10_000, description: 'Vehicles since the previous reading' }),
    // Omitted (not 0) when no vehicle passed: a 0 km/h mean would read as a jam to the congestion rule.
    mean_speed: speed({ description: 'Mean speed of the vehicles counted; omit when none passed' }),
    occupancy: percentage({ description: 'Share of the interval the detector was occupied' }),
    queue_length: length({ max: 5000, description: 'Estimated queue length' }),
  },
  defaultRules: [
    {
      id: 'congestion',
      field: 'mean_speed',
      condition: 'below',
      threshold: 10,
      clearThreshold: 20,
      forSeconds: 180,
      severity: 'warning',
      description: 'Congestion: mean speed below 10 km/h for 3 minutes',
    },
    {
      id: 'queue-long',
      field: 'queue_length',
      condition: 'above',
      threshold: 300,
      clearThreshold: 200,
      forSeconds: 120,
      severity: 'warning',
      description: 'Queue longer than 300 m for 2 minutes',
    },
  ],
  config: {
    speed_limit_kmh: integer({
      unit: 'km/h',
      min: 10,
      max: 130,
      description: 'Posted limit, for the detector’s own speeding count',
    }),
  },
});

export const signalController = defineDeviceType({
  name: 'signal-controller',
  family: 'traffic',
  title: 'Traffic signal controller',
  description: 'Junction controller: current phase, control mode, cycle time and fault flag.',
  reportingIntervalS: 30,
  fields: {
    phase: integer({ min: 0, max: 32, description: 'Current signal phase (stage) number' }),
    mode: enumeration(['fixed_time', 'actuated', 'adaptive', 'flashing', 'off'], 'Control mode'),
    cycle_time: integer({ unit: 's', min: 0, max: 600, description: 'Length of the current cycle' }),
    fault: flag('Controller reports a fault (lamp, detector or conflict monitor)'),
  },
  defaultRules: [
    {
      id: 'cycle-long',
      field: 'cycle_time',
      condition: 'above',
      threshold: 180,
      clearThreshold: 150,
      forSeconds: 600,
      severity: 'info',
      description: 'Cycle longer than 180 s for 10 minutes: check the timing plan',
    },
  ],
  config: {
    mode: enumeration(['fixed_time', 'actuated', 'adaptive', 'flashing', 'off'], 'Control mode to run in'),
  },
  commands: {
    'set-phase': {
      description: 'Move to this phase at the next safe point (after the intergreen)',
      params: { phase: integer({ min: 0, max: 32, description: 'Signal phase (stage) number' }) },
    },
  },
});

export const trafficTypes = [trafficDetector, signalController];
