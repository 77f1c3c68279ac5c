import { deviceTypes, decodeTelemetry } from '@citypulse/devices';
import { ReadingGenerator, normalBand } from './reading-generator.js';

const limits = {
  receivedAtMs: Date.now(),
  maxPayloadBytes: 65536,
  maxBatchReadings: 1000,
  maxFutureSkewMs: 300_000,
  maxPastAgeMs: 86_400_000,
};

describe('ReadingGenerator', () => {
  it.each(Object.values(deviceTypes).map((t) => [t.name, t] as const))(
    'keeps %s readings valid and clear of every default rule',
    (_name, type) => {
      const generator = new ReadingGenerator(type, 'dev-1', 7);
      for (let i = 0; i < 500; i++) {
        const values = generator.next();
        for (const rule of type.defaultRules) {
          const v = values[rule.field] as number;
          if (rule.condition === 'above') expect(v).toBeLessThanOrEqual(rule.clearThreshold);
          else expect(v).toBeGreaterThanOrEqual(rule.clearThreshold);
        }
        const decoded = decodeTelemetry(Buffer.from(JSON.stringify({ values })), type, limits);
        expect(decoded.rejected).toEqual([]);
      }
    },
  );

  it('gives the same sequence for the same device and seed, and another for another seed', () => {
    const type = deviceTypes['env-sensor'];
    const run = (seed: number) =>
      Array.from(
        { length: 20 },
        (
          (g) => () =>
            g.next()
        )(new ReadingGenerator(type, 'd', seed)),
      );
    expect(run(1)).toEqual(run(1));
    expect(run(1)).not.toEqual(run(2));
  });

  it('narrows grid frequency to the band between its low and high alert rules', () => {
    expect(normalBand(deviceTypes['electricity-meter'], 'frequency')).toEqual({ low: 49.8, high: 50.2 });
  });
});
