import type { Scenario } from './scenario.js';

export const normal: Scenario = {
  name: 'normal',
  summary: 'An ordinary day: schedules, weather and load curves, nothing wrong. Raises no alert.',
  raises: [],
  mayRaise: [],
  rejects: [],
  minDurationMs: 0,
  window: [0, 1],
};
