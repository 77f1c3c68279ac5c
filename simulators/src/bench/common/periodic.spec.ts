import { every } from './periodic.js';

describe('every', () => {
  it('runs the task each interval and stops without sitting out the next wait', async () => {
    let runs = 0;
    const periodic = every(40, async () => {
      runs++;
    });
    await new Promise((r) => setTimeout(r, 100));
    const stoppingAt = performance.now();
    await periodic.stop();
    expect(performance.now() - stoppingAt).toBeLessThan(30);
    expect(runs).toBe(2);
    await new Promise((r) => setTimeout(r, 60));
    expect(runs).toBe(2);
  });
});
