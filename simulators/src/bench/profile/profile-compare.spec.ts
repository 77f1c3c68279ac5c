import { compareShares, loadWindow } from './profile-compare.js';
import type { CpuProfile } from './profile-summary.js';

const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 0, columnNumber: 0 });
const INGEST = 'file:///w/dist/apps/broker/src/telemetry/telemetry-ingestor.js';
const ROUTE = 'file:///w/dist/apps/broker/src/telemetry/telemetry-routing.js';

/**
 * Start-up (node 2) for 5 ms, then the load: ingest (3) and what it calls (4), a route check (5), start-up again at the
 * end.
 */
function profile(routeUs: number): CpuProfile {
  return {
    startTime: 0,
    endTime: 100_000,
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2, 3, 5] },
      { id: 2, callFrame: frame('compile', 'node:internal/modules/cjs/loader') },
      { id: 3, callFrame: frame('ingest', INGEST), children: [4] },
      { id: 4, callFrame: frame('parse', 'file:///w/node_modules/mqtt-packet/parser.js') },
      { id: 5, callFrame: frame('wanted', ROUTE) },
    ],
    samples: [2, 3, 4, 5, 3, 2],
    // Sample i lasts timeDeltas[i + 1]: start-up 5 ms, ingest 1 ms, parse 1 ms, wanted `routeUs`, ingest 1 ms, start-up
    // 1 ms.
    timeDeltas: [0, 5000, 1000, 1000, routeUs, 1000, 1000, 0],
  };
}

describe('loadWindow', () => {
  it("spans the samples taken inside the marking function, in the profile's own clock", () => {
    // Inside ingest: samples stamped 5000 (ingest), 6000 (parse, called by it) and 7000 + route time (ingest again).
    expect(loadWindow(profile(1000))).toEqual({ fromUs: 5000, toUs: 8000 });
  });

  it('refuses a profile without the marking function', () => {
    expect(() => loadWindow({ ...profile(1000), samples: [2, 2] })).toThrow(/no sample inside ingest/);
  });
});

describe('compareShares', () => {
  it('puts what grew most first, by share of the busy time in the window (start-up left out)', () => {
    const diffs = compareShares(profile(1000), profile(3000), 'functions');
    expect(diffs[0]).toEqual({ name: `wanted  ${ROUTE.replace('file:///w/dist/', '')}:1`, a: 25, b: 50 });
    expect(diffs.map((d) => d.name)).not.toContain('compile  node:internal/modules/cjs/loader:1');
  });
});
