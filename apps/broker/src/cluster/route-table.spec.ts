import { RouteTable, scopedFilters } from './route-table.js';

describe('scopedFilters', () => {
  it('puts the filter under each city of the login, or under + for a login of every city', () => {
    expect(scopedFilters('devices/+/telemetry', new Set(['beijing', 'tianjin']))).toEqual([
      'beijing/devices/+/telemetry',
      'tianjin/devices/+/telemetry',
    ]);
    expect(scopedFilters('devices/+/telemetry', null)).toEqual(['+/devices/+/telemetry']);
    expect(scopedFilters('devices/+/telemetry', new Set())).toEqual([]);
  });
});

describe('RouteTable', () => {
  it('matches a reading only for the cities that watch it', () => {
    const table = new RouteTable();
    table.set('broker-b', scopedFilters('devices/+/telemetry', new Set(['beijing'])));
    expect(table.matches('beijing', 'devices/m-1/telemetry')).toBe(true);
    expect(table.matches('tianjin', 'devices/m-1/telemetry')).toBe(false);
    table.set('broker-c', scopedFilters('devices/m-7/telemetry', null));
    expect(table.matches('tianjin', 'devices/m-7/telemetry')).toBe(true);
    expect(table.matches('tianjin', 'devices/m-1/telemetry')).toBe(false);
  });

  it('keeps one set per broker: a new set replaces the old, an empty one forgets the broker', () => {
    const table = new RouteTable();
    table.set('a', ['beijing/devices/+/telemetry']);
    table.set('b', ['beijing/devices/+/telemetry', 'tianjin/devices/+/telemetry']);
    expect(table.size).toBe(2);
    table.set('b', ['beijing/devices/+/telemetry']);
    expect(table.matches('tianjin', 'devices/x/telemetry')).toBe(false);
    expect(table.matches('beijing', 'devices/x/telemetry')).toBe(true);
    table.set('a', []);
    expect(table.brokers()).toEqual(['b']);
    // Broker b still holds the same filter broker a dropped.
    expect(table.matches('beijing', 'devices/x/telemetry')).toBe(true);
    table.set('b', undefined);
    expect(table.size).toBe(0);
    expect(table.matches('beijing', 'devices/x/telemetry')).toBe(false);
  });

  it('forgets on a full resync every broker it is not given', () => {
    const table = new RouteTable();
    table.set('dead', ['+/devices/+/telemetry']);
    table.replaceAll(new Map([['live', ['shanghai/devices/+/telemetry']]]));
    expect(table.brokers()).toEqual(['live']);
    expect(table.matches('beijing', 'devices/x/telemetry')).toBe(false);
    expect(table.matches('shanghai', 'devices/x/telemetry')).toBe(true);
  });
});
