import type { LocalTime } from './cities.js';

/** Piecewise-linear curve through (hour, value) points; wraps at midnight. */
export function curve(points: ReadonlyArray<readonly [number, number]>, hour: number): number {
  for (let i = 1; i < points.length; i++) {
    const [h0, v0] = points[i - 1];
    const [h1, v1] = points[i];
    if (hour <= h1) return v0 + ((v1 - v0) * (hour - h0)) / (h1 - h0 || 1);
  }
  return points[points.length - 1][1];
}

export type BuildingUse = 'office' | 'mall';

const OFFICE_WEEKDAY = [
  [0, 0.02],
  [6.5, 0.03],
  [8, 0.55],
  [9.5, 0.92],
  [12, 0.9],
  [12.5, 0.65],
  [13.5, 0.88],
  [17, 0.85],
  [18.5, 0.35],
  [20, 0.1],
  [22, 0.03],
  [24, 0.02],
] as const;
const OFFICE_WEEKEND = [
  [0, 0.01],
  [9, 0.02],
  [11, 0.1],
  [16, 0.09],
  [18, 0.02],
  [24, 0.01],
] as const;
const MALL_WEEKDAY = [
  [0, 0],
  [9.5, 0.02],
  [10, 0.2],
  [12.5, 0.45],
  [14, 0.35],
  [18, 0.5],
  [20, 0.6],
  [22, 0.15],
  [22.5, 0],
  [24, 0],
] as const;
const MALL_WEEKEND = [
  [0, 0],
  [9.5, 0.03],
  [10, 0.35],
  [13, 0.85],
  [16, 0.95],
  [20, 0.8],
  [22, 0.2],
  [22.5, 0],
  [24, 0],
] as const;

/** How full a building is, 0 … 1, by its use and the local weekday/weekend schedule. */
export function occupancyShare(use: BuildingUse, time: LocalTime): number {
  if (use === 'mall') return curve(time.weekend ? MALL_WEEKEND : MALL_WEEKDAY, time.hour);
  return curve(time.weekend ? OFFICE_WEEKEND : OFFICE_WEEKDAY, time.hour);
}

export type LoadProfile = 'office' | 'residential' | 'industrial';

const LOAD = {
  office: {
    weekday: [
      [0, 0.22],
      [6, 0.22],
      [8, 0.6],
      [9.5, 0.95],
      [12, 1],
      [13, 0.9],
      [17, 0.92],
      [19, 0.45],
      [22, 0.25],
      [24, 0.22],
    ],
    weekend: [
      [0, 0.2],
      [10, 0.28],
      [17, 0.28],
      [24, 0.2],
    ],
  },
  residential: {
    weekday: [
      [0, 0.3],
      [5, 0.25],
      [7, 0.6],
      [8.5, 0.5],
      [12, 0.45],
      [17, 0.55],
      [19.5, 1],
      [22, 0.85],
      [24, 0.4],
    ],
    weekend: [
      [0, 0.35],
      [6, 0.28],
      [9, 0.6],
      [12, 0.7],
      [18, 0.8],
      [20, 1],
      [23, 0.7],
      [24, 0.4],
    ],
  },
  industrial: {
    weekday: [
      [0, 0.62],
      [7, 0.65],
      [8, 0.95],
      [17, 0.95],
      [18, 0.7],
      [24, 0.62],
    ],
    weekend: [
      [0, 0.5],
      [24, 0.5],
    ],
  },
} as const;

/** Share of a site's peak electrical load by its profile and local time, before weather. */
export function loadShare(profile: LoadProfile, time: LocalTime): number {
  const { weekday, weekend } = LOAD[profile];
  return curve(time.weekend ? weekend : weekday, time.hour);
}

const TRAFFIC_WEEKDAY = [
  [0, 0.1],
  [5, 0.06],
  [6.5, 0.45],
  [8, 1],
  [9.3, 0.75],
  [12, 0.6],
  [15, 0.62],
  [17.5, 0.98],
  [18.5, 1],
  [20, 0.6],
  [22, 0.3],
  [24, 0.1],
] as const;
const TRAFFIC_WEEKEND = [
  [0, 0.14],
  [6, 0.07],
  [9, 0.35],
  [11, 0.6],
  [16, 0.62],
  [19, 0.5],
  [22, 0.3],
  [24, 0.14],
] as const;

/**
 * Traffic demand as a share of the weekday rush-hour flow: two rush hours on weekdays, a broad midday hump at weekends.
 */
export function trafficDemand(time: LocalTime): number {
  return curve(time.weekend ? TRAFFIC_WEEKEND : TRAFFIC_WEEKDAY, time.hour);
}
