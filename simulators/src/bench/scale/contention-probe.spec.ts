import { probeWorkUnit } from './contention-probe.js';

describe('contention probe', () => {
  it('does the same work for the same seed, and different work for another', () => {
    expect(probeWorkUnit(7)).toBe(probeWorkUnit(7));
    expect(probeWorkUnit(7)).not.toBe(probeWorkUnit(8));
  });
});
