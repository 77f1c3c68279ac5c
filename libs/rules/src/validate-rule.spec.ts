import { validateRule, type RuleCatalogue } from './validate-rule.js';

const catalogue: RuleCatalogue = {
  numericFields: (type) => (type === 'env-sensor' ? ['co2', 'temperature'] : undefined),
};
const good = {
  id: 'co2-high-bj',
  key: 'env-sensor.co2-high',
  deviceType: 'env-sensor',
  scope: { city: 'beijing' },
  field: 'co2',
  condition: { kind: 'above', threshold: 1200, clearBelow: 1000 },
  forSeconds: 60,
  severity: 'critical',
};
const fields = (input: unknown) => {
  const result = validateRule(input, catalogue);
  return result.ok ? [] : result.errors.map((e) => e.field);
};

describe('validateRule', () => {
  it('accepts a well-formed rule and fills in the defaults', () => {
    const result = validateRule(good, catalogue);
    expect(result).toEqual({ ok: true, rule: { ...good, enabled: true } });
    const minimal = validateRule(
      { id: 'x', deviceType: 'env-sensor', field: 'co2', condition: { kind: 'above', threshold: 1 }, severity: 'info' },
      catalogue,
    );
    expect(minimal.ok && minimal.rule).toMatchObject({ forSeconds: 0, enabled: true });
  });

  it('names every bad field at once', () => {
    expect(fields({ ...good, id: 'has space', severity: 'fatal', forSeconds: -1, colour: 'red' }).sort()).toEqual([
      'colour',
      'forSeconds',
      'id',
      'severity',
    ]);
  });

  it('refuses a clear level on the wrong side of the threshold (it would resolve at once)', () => {
    expect(fields({ ...good, condition: { kind: 'above', threshold: 1200, clearBelow: 1300 } })).toEqual([
      'condition.clearBelow',
    ]);
    expect(fields({ ...good, condition: { kind: 'below', threshold: 5, clearAbove: 4 } })).toEqual([
      'condition.clearAbove',
    ]);
  });

  it('checks each condition kind’s own properties', () => {
    expect(fields({ ...good, condition: { kind: 'above' } })).toEqual(['condition.threshold']);
    expect(fields({ ...good, condition: { kind: 'outside', low: 10, high: 5 } })).toEqual(['condition.high']);
    expect(fields({ ...good, condition: { kind: 'outside', low: 0, high: 10, clearMargin: 5 } })).toEqual([
      'condition.clearMargin',
    ]);
    expect(fields({ ...good, condition: { kind: 'rate' } })).toEqual(['condition.min']);
    expect(fields({ ...good, condition: { kind: 'above', threshold: 'high' } })).toEqual(['condition.threshold']);
    expect(fields({ ...good, condition: { kind: 'sideways' } })).toEqual(['condition.kind']);
    expect(fields({ ...good, condition: { kind: 'above', threshold: 1, low: 2 } })).toEqual(['condition.low']);
  });

  it('refuses a device type or field the catalogue does not have', () => {
    expect(fields({ ...good, deviceType: 'toaster' })).toEqual(['deviceType']);
    expect(fields({ ...good, field: 'humidity' })).toEqual(['field']);
  });

  it('takes a deadman rule without a field, its window from the condition', () => {
    const deadman = {
      id: 'silent',
      deviceType: 'env-sensor',
      condition: { kind: 'deadman', afterSeconds: 600 },
      severity: 'warning',
    };
    const result = validateRule(deadman, catalogue);
    expect(result.ok && result.rule).toMatchObject({
      field: '',
      condition: { kind: 'deadman', afterSeconds: 600, when: 'no-data' },
    });
    expect(fields({ ...deadman, field: 'co2' })).toEqual(['field']);
    expect(fields({ ...deadman, forSeconds: 60 })).toEqual(['forSeconds']);
    expect(fields({ ...deadman, condition: { kind: 'deadman', afterSeconds: 0, when: 'sometimes' } }).sort()).toEqual([
      'condition.afterSeconds',
      'condition.when',
    ]);
  });

  it('checks the scope’s keys and values', () => {
    expect(fields({ ...good, scope: { planet: 'mars' } })).toEqual(['scope.planet']);
    expect(fields({ ...good, scope: { city: '' } })).toEqual(['scope.city']);
  });

  it('holds a scope’s city, site and device id to the patterns of the device fields they name', () => {
    expect(fields({ ...good, scope: { site: 'a,b=c d\n' } })).toEqual(['scope.site']);
    expect(fields({ ...good, scope: { city: 'Beijing' } })).toEqual(['scope.city']);
    expect(fields({ ...good, scope: { city: 'bei jing' } })).toEqual(['scope.city']);
    expect(fields({ ...good, scope: { deviceId: '*' } })).toEqual(['scope.deviceId']);
    expect(fields({ ...good, scope: { deviceId: '../x' } })).toEqual(['scope.deviceId']);
    expect(fields({ ...good, scope: { site: 'x'.repeat(65) } })).toEqual(['scope.site']);
    expect(fields({ ...good, scope: { city: 7 } })).toEqual(['scope.city']);
    expect(fields({ ...good, scope: { city: 'beijing', site: 'bj-chaoyang-01', deviceId: 'BJ-env.0042_a' } })).toEqual(
      [],
    );
  });

  it('refuses what is not an object', () => {
    expect(validateRule([1, 2])).toEqual({
      ok: false,
      errors: [{ field: 'body', message: 'a rule must be a JSON object' }],
    });
  });
});
