import { Histogram, Registry } from 'prom-client';
import { PlainHistogram } from './plain-histogram.js';

describe('PlainHistogram', () => {
  const buckets = [0.001, 0.01, 0.1, 0.5, 1, 10];

  /** The same values into a prom-client histogram and ours, each in a registry of its own. */
  function both(values: number[]) {
    const theirs = new Registry();
    const ours = new Registry();
    const reference = new Histogram({ name: 'delay_seconds', help: 'Delay', buckets, registers: [theirs] });
    const plain = new PlainHistogram('delay_seconds', 'Delay', buckets, ours);
    for (const v of values) {
      reference.observe(v);
      plain.observe(v);
    }
    return { theirs, ours, plain };
  }

  it('is scraped exactly as a prom-client histogram given the same values', async () => {
    // On bounds, between them, below the first, above the last (only in +Inf), zero and negative.
    const values = [0.001, 0.0015, 0.1, 0.7, 1, 42, 0, -3, 0.01, 9.99, 10, 10.01, 0.2];
    for (let i = 0; i < 500; i++) values.push(((i * 7919) % 2000) / 150);
    const { theirs, ours } = both(values);
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
  });

  it('starts again from nothing when reset, as a new histogram', async () => {
    const { ours } = both([0.05, 3, 20]);
    ours.resetMetrics();
    expect(await ours.metrics()).toBe(await both([]).theirs.metrics());
    expect(await ours.metrics()).toContain('delay_seconds_count 0');
  });
});
