import { localTime, type City } from './cities.js';
import { hashString, mix, wander } from './noise.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** What a scenario can do to the weather of a city. */
export interface WeatherEffect {
  /** Added to the normal outdoor temperature, °C. */
  boostC: number;
  /** The outdoor temperature does not drop below this while the effect holds (a heat dome). */
  floorC?: number;
}

/**
 * Outdoor air temperature: the season (coldest mid-January, warmest mid-July), the day (coolest
 * before dawn, warmest mid-afternoon) and weather fronts passing over a few days, per city and seed.
 */
export function outdoorTemperature(seed: number, city: City, tMs: number, effect?: WeatherEffect): number {
  const { hour, dayOfYear } = localTime(tMs, city);
  const { annualMeanC, seasonalAmplitudeC, dailyAmplitudeC } = city.climate;
  const season = annualMeanC - seasonalAmplitudeC * Math.cos((2 * Math.PI * (dayOfYear - 15)) / 365);
  const day = dailyAmplitudeC * Math.cos((2 * Math.PI * (hour - 15)) / 24);
  const key = mix(seed, hashString(city.name), 1);
  const fronts = 3 * wander(key, tMs, 3 * DAY) + 1 * wander(key ^ 0x1f, tMs, 6 * HOUR);
  const normal = season + day + fronts;
  if (!effect) return normal;
  return Math.max(normal + effect.boostC, effect.floorC ?? -Infinity);
}

/** Outdoor relative humidity, %: drier in the afternoon, wetter at night, with fronts. */
export function outdoorHumidity(seed: number, city: City, tMs: number): number {
  const { hour } = localTime(tMs, city);
  const key = mix(seed, hashString(city.name), 2);
  const value =
    city.climate.meanHumidity + 18 * wander(key, tMs, 2 * DAY) - 10 * Math.cos((2 * Math.PI * (hour - 15)) / 24);
  return Math.min(98, Math.max(12, value));
}

/** Cloud cover 0 (clear) … 1 (overcast), drifting over hours. */
export function cloudiness(seed: number, city: City, tMs: number): number {
  const key = mix(seed, hashString(city.name), 3);
  return Math.min(1, Math.max(0, 0.35 + 0.6 * wander(key, tMs, 10 * HOUR)));
}

/**
 * Share of full sun on a tilted panel, 0 … 1: a half-sine between sunrise and sunset centred on
 * local solar noon; longer and stronger days in summer.
 */
export function sunShare(city: City, tMs: number): number {
  const { hour, dayOfYear } = localTime(tMs, city);
  const summer = -Math.cos((2 * Math.PI * (dayOfYear - 15)) / 365); // -1 mid-January … 1 mid-July
  const dayLengthH = 12 + 2.8 * summer;
  const peak = 0.78 + 0.2 * summer;
  const x = (hour - city.climate.solarNoonH) / dayLengthH;
  if (Math.abs(x) >= 0.5) return 0;
  return peak * Math.cos(Math.PI * x);
}
