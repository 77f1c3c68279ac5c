import { shapeProblems } from './json-shape.js';

const nested = (depth: number) => JSON.parse('{"a":'.repeat(depth) + '1' + '}'.repeat(depth));

describe('the shape check of request bodies and queries', () => {
  it('accepts ordinary bodies, arrays of rows, scalars and a plain "constructor" field', () => {
    expect(shapeProblems({ id: 'd1', type: 'env-sensor', city: 'beijing' })).toEqual([]);
    expect(shapeProblems({ devices: [{ id: 'a' }, { id: 'b' }] })).toEqual([]);
    expect(shapeProblems(null)).toEqual([]);
    expect(shapeProblems('text')).toEqual([]);
    expect(shapeProblems({ constructor: 'Acme Ltd' })).toEqual([]);
  });

  it('refuses a "__proto__" key anywhere, naming where', () => {
    expect(shapeProblems(JSON.parse('{"id":"x","__proto__":{"isAdmin":true}}'))).toEqual([
      { field: '__proto__', problems: ['__proto__ is not an accepted property name'] },
    ]);
    expect(shapeProblems(JSON.parse('{"devices":[{"id":"x","__proto__":{}}]}')).map((p) => p.field)).toEqual([
      'devices.0.__proto__',
    ]);
  });

  it('refuses "constructor" holding a "prototype"', () => {
    expect(shapeProblems({ params: { constructor: { prototype: { polluted: true } } } }).map((p) => p.field)).toEqual([
      'params.constructor',
    ]);
  });

  it('accepts nesting up to the limit and refuses deeper, without recursing (50,000 levels)', () => {
    expect(shapeProblems(nested(31))).toEqual([]);
    expect(shapeProblems(nested(33))).toEqual([
      { field: expect.stringMatching(/^a(\.a)+$/), problems: ['nesting deeper than 32 levels is not accepted'] },
    ]);
    expect(shapeProblems(nested(50_000))).toHaveLength(1);
  });
});
