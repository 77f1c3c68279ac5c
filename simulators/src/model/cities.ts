/**
 * The city cluster the simulator covers. Each city has its own UTC offset (Ürümqi keeps Xinjiang
 * time, UTC+6, so its office day starts two hours after Beijing's in UTC), a size that weights how
 * many devices it gets, a climate for the weather model, and the grid it hangs off (a frequency
 * event is shared by every city on the same synchronous grid).
 */
export interface City {
  name: string;
  /** Local time = UTC + this. */
  utcOffsetMin: number;
  /** Relative number of devices. */
  size: number;
  climate: Climate;
  grid: string;
}

export interface Climate {
  /** Mean of the year's daily mean temperature, °C. */
  annualMeanC: number;
  /** Half the difference between the July and January means, °C. */
  seasonalAmplitudeC: number;
  /** Half the typical day–night swing, °C. */
  dailyAmplitudeC: number;
  /** Relative humidity around which the outdoor air wanders, %. */
  meanHumidity: number;
  /** Hour of solar noon in local clock time (Ürümqi's sun peaks near 14:00 on Beijing time). */
  solarNoonH: number;
}

const city = (name: string, utcOffsetH: number, size: number, grid: string, climate: Climate): City => ({
  name,
  utcOffsetMin: utcOffsetH * 60,
  size,
  grid,
  climate,
});

/** Climate figures are rounded long-term normals (January / July means, typical diurnal range). */
export const CITIES: readonly City[] = [
  city('beijing', 8, 10, 'north-china', {
    annualMeanC: 12.5,
    seasonalAmplitudeC: 15.5,
    dailyAmplitudeC: 5,
    meanHumidity: 55,
    solarNoonH: 12.2,
  }),
  city('tianjin', 8, 6, 'north-china', {
    annualMeanC: 12.8,
    seasonalAmplitudeC: 15,
    dailyAmplitudeC: 4.5,
    meanHumidity: 60,
    solarNoonH: 12.1,
  }),
  city('shijiazhuang', 8, 4, 'north-china', {
    annualMeanC: 14,
    seasonalAmplitudeC: 14.5,
    dailyAmplitudeC: 5,
    meanHumidity: 58,
    solarNoonH: 12.4,
  }),
  city('baoding', 8, 3, 'north-china', {
    annualMeanC: 13,
    seasonalAmplitudeC: 15,
    dailyAmplitudeC: 5,
    meanHumidity: 58,
    solarNoonH: 12.3,
  }),
  city('tangshan', 8, 3, 'north-china', {
    annualMeanC: 11.5,
    seasonalAmplitudeC: 15,
    dailyAmplitudeC: 4.5,
    meanHumidity: 60,
    solarNoonH: 12.0,
  }),
  city('zhangjiakou', 8, 1, 'north-china', {
    annualMeanC: 8.5,
    seasonalAmplitudeC: 16,
    dailyAmplitudeC: 6,
    meanHumidity: 50,
    solarNoonH: 12.3,
  }),
  city('urumqi', 6, 3, 'northwest', {
    annualMeanC: 7.5,
    seasonalAmplitudeC: 18,
    dailyAmplitudeC: 5.5,
    meanHumidity: 50,
    solarNoonH: 12.0,
  }),
];

export const DEFAULT_CITIES = ['beijing', 'tianjin', 'shijiazhuang'];

export function getCity(name: string): City | undefined {
  return CITIES.find((c) => c.name === name);
}

export interface LocalTime {
  /** Hour of the day in local clock time, fractional (13.5 = 13:30). */
  hour: number;
  /** 0 = Sunday … 6 = Saturday, local. */
  weekday: number;
  /** 0 … 365, local. */
  dayOfYear: number;
  weekend: boolean;
}

const DAY_MS = 86_400_000;

/** The city's wall-clock view of an instant: what schedules (office hours, rush hours) follow. */
export function localTime(tMs: number, city: City): LocalTime {
  const local = tMs + city.utcOffsetMin * 60_000;
  const date = new Date(local);
  const hour = (((local % DAY_MS) + DAY_MS) % DAY_MS) / 3_600_000;
  const weekday = date.getUTCDay();
  const dayOfYear = Math.floor((local - Date.UTC(date.getUTCFullYear(), 0, 1)) / DAY_MS);
  return { hour, weekday, dayOfYear, weekend: weekday === 0 || weekday === 6 };
}
