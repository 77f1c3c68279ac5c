import { deviceTypes } from '@citypulse/devices';
import { envSensorModel, hvacUnitModel, liftModel } from './building.js';
import type { DeviceModel } from './effects.js';
import { electricityMeterModel, solarInverterModel } from './energy.js';
import { signalControllerModel, trafficDetectorModel } from './traffic.js';

/**
 * One model per catalogue device type. A type added to the catalogue without a model fails `modelFor` (and its test).
 */
// Each model has its own state type; DeviceModel<unknown> would not hold them, state being a parameter too.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a table of models of different state types
const MODELS: Record<string, DeviceModel<any>> = {
  'env-sensor': envSensorModel,
  'hvac-unit': hvacUnitModel,
  lift: liftModel,
  'electricity-meter': electricityMeterModel,
  'solar-inverter': solarInverterModel,
  'traffic-detector': trafficDetectorModel,
  'signal-controller': signalControllerModel,
};

export function modelFor(typeName: string): DeviceModel<unknown> {
  if (!Object.hasOwn(MODELS, typeName)) throw new Error(`no simulator model for device type ${typeName}`);
  return MODELS[typeName];
}

/** Catalogue types the simulator cannot generate (should be none). */
export function typesWithoutModel(): string[] {
  return Object.keys(deviceTypes).filter((name) => !Object.hasOwn(MODELS, name));
}
