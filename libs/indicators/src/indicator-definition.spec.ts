import { IndicatorDefinitionError, parseIndicatorDefinitions } from './indicator-definition.js';

const catalogue = {
  numericFields: (type: string) => (type === 'electricity-meter' ? ['active_power', 'voltage'] : undefined),
};
const valid = {
  id: 'demand',
  title: 'Demand',
  deviceType: 'electricity-meter',
  field: 'active_power',
  aggregate: 'sum',
  windowSeconds: 60,
};

function problems(input: unknown): string[] {
  try {
    parseIndicatorDefinitions(input, catalogue);
  } catch (err) {
    if (err instanceof IndicatorDefinitionError) return err.problems.map((p) => p.field);
    throw err;
  }
  return [];
}

describe('indicator definitions', () => {
  it('reads a definition and its rules, normalised as rules are', () => {
    const [definition] = parseIndicatorDefinitions(
      {
        indicators: [
          {
            ...valid,
            rules: [
              { id: 'high', condition: { kind: 'above', threshold: 500 }, forSeconds: 600, severity: 'critical' },
            ],
          },
        ],
      },
      catalogue,
    );
    expect(definition).toEqual({
      ...valid,
      rules: [
        {
          id: 'high',
          condition: { kind: 'above', threshold: 500 },
          forSeconds: 600,
          severity: 'critical',
          enabled: true,
        },
      ],
    });
  });

  it('names every problem by its path', () => {
    expect(problems({})).toEqual(['indicators']);
    expect(
      problems({
        indicators: [{ ...valid, id: 'Bad Id', field: 'co2', aggregate: 'median', windowSeconds: 0, colour: 'red' }],
      }),
    ).toEqual([
      'indicators[0].colour',
      'indicators[0].id',
      'indicators[0].field',
      'indicators[0].aggregate',
      'indicators[0].windowSeconds',
    ]);
    expect(problems({ indicators: [valid, valid] })).toEqual(['indicators[1].id']);
    expect(problems({ indicators: [{ ...valid, deviceType: 'toaster' }] })).toEqual(['indicators[0].deviceType']);
    const rules = [
      { id: 'quiet', condition: { kind: 'deadman', afterSeconds: 60 }, severity: 'info' },
      { id: 'x', field: 'voltage', condition: { kind: 'above', threshold: 1, clearBelow: 2 }, severity: 'info' },
    ];
    expect(problems({ indicators: [{ ...valid, rules }] })).toEqual([
      'indicators[0].rules[0].condition.kind',
      'indicators[0].rules[1].field',
      'indicators[0].rules[1].condition.clearBelow',
    ]);
  });
});
