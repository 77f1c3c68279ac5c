import type { Effects } from '../model/effects.js';
import type { Scenario } from './scenario.js';

const MINUTE = 60_000;

/**
 * A crash blocks most lanes at the largest city's first junction for 70 % of the scenario window:
 * speed collapses to a crawl, the queue grows by tens of metres a minute, the junction's
 * controller is switched to long adaptive cycles to flush the blocked approach; nearby junctions
 * slow down from spill-back. Then the wreck is cleared and traffic recovers over ten minutes.
 */
export const trafficIncident: Scenario = {
  name: 'traffic-incident',
  summary: 'Lanes blocked at the largest city’s first junction: speed collapse, growing queue, long signal cycles.',
  raises: ['traffic-detector.congestion', 'traffic-detector.queue-long', 'signal-controller.cycle-long'],
  mayRaise: [],
  rejects: [],
  minDurationMs: 60 * MINUTE,
  window: [0.25, 0.75],
  effects(device, tMs, { window, plan }): Effects | undefined {
    if (device.type.family !== 'traffic' || device.city !== plan.focusCity) return undefined;
    const since = tMs - window.startMs;
    if (since < 0) return undefined;
    const lasts = 0.7 * (window.endMs - window.startMs);
    if (device.site.index !== 0)
      return since < lasts ? { road: { spillback: Math.min(1, since / (10 * MINUTE)) } } : undefined;
    if (device.type.name === 'signal-controller') return since < lasts ? { signal: { cycleS: 195 } } : undefined;
    return { road: { incidentForMs: since, incidentLastsMs: lasts } };
  },
};
