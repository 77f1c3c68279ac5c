import { startRig } from './start-rig.js';

/** A rig that records what happened to it, with processes that start or fail as told. */
function rigOf(outcomes: Array<'starts' | 'fails'>) {
  const running = new Set<number>();
  const rig = {
    stops: 0,
    running,
    async stop() {
      rig.stops++;
      running.clear();
    },
    startAll: () =>
      Promise.all(
        outcomes.map(async (outcome, i) => {
          await new Promise((r) => setTimeout(r, i * 5));
          if (outcome === 'fails') throw new Error(`process ${i} did not start`);
          running.add(i);
        }),
      ),
  };
  return rig;
}

describe('startRig', () => {
  it('hands back the rig, untouched, when every process started', async () => {
    const rig = rigOf(['starts', 'starts']);
    await expect(startRig(rig, rig.startAll)).resolves.toBe(rig);
    expect(rig.stops).toBe(0);
    expect([...rig.running]).toEqual([0, 1]);
  });

  it('stops the processes that did start when one fails, and rethrows its error', async () => {
    const rig = rigOf(['starts', 'starts', 'fails']);
    await expect(startRig(rig, rig.startAll)).rejects.toThrow('process 2 did not start');
    expect(rig.stops).toBe(1);
    expect(rig.running.size).toBe(0);
  });

  it('rethrows the start error, not a failure of the clean-up', async () => {
    const rig = {
      stop: () => Promise.reject(new Error('stop failed too')),
    };
    await expect(startRig(rig, () => Promise.reject(new Error('no InfluxDB')))).rejects.toThrow('no InfluxDB');
  });
});
