import { planDeviceQuery } from './device-query.js';
import { RegistryKeys } from './keys.js';

const keys = new RegistryKeys('p');
const page = { offset: 0, limit: 10 };

describe('planDeviceQuery', () => {
  it('pages straight from the whole-fleet index when nothing filters', () => {
    expect(planDeviceQuery(page, keys, 't')).toEqual({
      empty: false,
      steps: [],
      source: '{p:reg}:idx:all',
      scratch: [],
    });
  });

  it('pages straight from one index for a single filter, without scratch keys', () => {
    expect(planDeviceQuery({ ...page, site: 'bj-1' }, keys, 't')).toMatchObject({
      steps: [],
      source: '{p:reg}:idx:site:bj-1',
    });
    expect(planDeviceQuery({ ...page, withinCities: ['beijing'] }, keys, 't')).toMatchObject({
      steps: [],
      source: '{p:reg}:idx:city:beijing',
    });
  });

  it('intersects several filters, and the online set for online=true', () => {
    const plan = planDeviceQuery({ ...page, city: 'beijing', type: 'lift', online: true }, keys, 't');
    expect(plan.steps).toEqual([
      {
        op: 'inter',
        into: '{p:reg}:tmp:t:inter',
        from: ['{p:reg}:idx:city:beijing', '{p:reg}:idx:type:lift', '{p:reg}:presence:online'],
      },
    ]);
    expect(plan.source).toBe('{p:reg}:tmp:t:inter');
    expect(plan.scratch).toEqual(['{p:reg}:tmp:t:inter']);
  });

  it('subtracts the online set for online=false', () => {
    const plan = planDeviceQuery({ ...page, type: 'lift', online: false }, keys, 't');
    expect(plan.steps).toEqual([
      { op: 'diff', into: '{p:reg}:tmp:t:offline', from: ['{p:reg}:idx:type:lift', '{p:reg}:presence:online'] },
    ]);
    expect(plan.source).toBe('{p:reg}:tmp:t:offline');
  });

  it('unions a multi-city tenancy before applying the other filters', () => {
    const plan = planDeviceQuery({ ...page, withinCities: ['beijing', 'tianjin'], type: 'lift' }, keys, 't');
    expect(plan.steps).toEqual([
      { op: 'union', into: '{p:reg}:tmp:t:cities', from: ['{p:reg}:idx:city:beijing', '{p:reg}:idx:city:tianjin'] },
      { op: 'inter', into: '{p:reg}:tmp:t:inter', from: ['{p:reg}:tmp:t:cities', '{p:reg}:idx:type:lift'] },
    ]);
  });

  it('lets a city filter inside the tenancy replace the union, and answers nothing for one outside it', () => {
    expect(
      planDeviceQuery({ ...page, withinCities: ['beijing', 'tianjin'], city: 'tianjin' }, keys, 't'),
    ).toMatchObject({ steps: [], source: '{p:reg}:idx:city:tianjin' });
    expect(planDeviceQuery({ ...page, withinCities: ['beijing'], city: 'tianjin' }, keys, 't').empty).toBe(true);
    expect(planDeviceQuery({ ...page, withinCities: [] }, keys, 't').empty).toBe(true);
  });
});
