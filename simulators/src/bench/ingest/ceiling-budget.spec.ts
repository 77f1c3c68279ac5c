import { budgetText, ceilingBudget, othersUsPerReading } from './ceiling-budget.js';

describe('ceilingBudget', () => {
  it("splits the cores' CPU at a share of the ceiling between InfluxDB and the rest", () => {
    // Half of 400k lines/s is 200k readings/s: 2 cores give each 10 µs; influxd takes 4.
    const budget = ceilingBudget({
      cores: 2,
      ceilingLinesPerSecond: 400_000,
      share: 0.5,
      usPerReading: { broker: 3, ingest: 2.5, influxd: 4, redis: 1.5 },
      othersUs: 1,
    });
    expect(budget).toEqual({
      share: 0.5,
      readingsPerSecond: 200_000,
      availableUs: 10,
      influxdUs: 4,
      budgetUs: 6,
      restUs: 8,
      rest: { broker: 3, ingest: 2.5, redis: 1.5, others: 1 },
    });
  });

  it('says nothing without a ceiling or without InfluxDB among the processes', () => {
    const input = { cores: 2, share: 0.5, usPerReading: { broker: 3, influxd: 4 } };
    expect(ceilingBudget({ ...input, ceilingLinesPerSecond: 0 })).toBeUndefined();
    expect(ceilingBudget({ ...input, ceilingLinesPerSecond: 400_000, usPerReading: { broker: 3 } })).toBeUndefined();
  });
});

describe('othersUsPerReading', () => {
  it('turns % of one core into µs per reading at the given rate', () => {
    expect(othersUsPerReading(15, 150_000)).toBeCloseTo(1, 10);
    expect(othersUsPerReading(undefined, 150_000)).toBeUndefined();
    expect(othersUsPerReading(15, 0)).toBeUndefined();
  });
});

describe('budgetText', () => {
  const base = { share: 0.5, readingsPerSecond: 200_000, availableUs: 10, influxdUs: 4, budgetUs: 6 };

  it('names what the rest took over the budget', () => {
    const text = budgetText({ ...base, restUs: 8, rest: { broker: 5, redis: 3 } }, 2);
    expect(text).toBe(
      "200,000 readings/s on 2 cores = 10.00 µs of CPU per reading; influxd's 4.00 leave 6.00 for the rest, " +
        'which took 8.00 (broker 5.00, redis 3.00): 2.00 over',
    );
  });

  it('says when the rest fits', () => {
    expect(budgetText({ ...base, restUs: 5, rest: { broker: 5 } }, 2)).toMatch(/: within it$/);
  });
});
