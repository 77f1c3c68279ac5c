import { UsageError } from './args.js';
import { parseCities, parseTimeRange, parseTypes } from './history-options.js';

describe('capture and tap options', () => {
  it('need a city, and name the option when it is missing or malformed', () => {
    expect(parseCities('beijing, tianjin')).toEqual(['beijing', 'tianjin']);
    expect(() => parseCities(undefined)).toThrow(
      new UsageError('--city: which city, e.g. --city beijing (several: --city beijing,tianjin)'),
    );
    expect(() => parseCities('Bei jing')).toThrow(/^--city Bei jing: /);
  });

  it('take catalogue device types only', () => {
    expect(parseTypes(undefined)).toBeUndefined();
    expect(parseTypes('env-sensor,lift')).toEqual(['env-sensor', 'lift']);
    expect(() => parseTypes('env-sensor,toaster')).toThrow(/^--types toaster: not a device type \(.*env-sensor/);
    expect(() => parseTypes(',')).toThrow(/^--types: at least one/);
  });

  it('read a range from --from/--to or --last, and refuse an empty, reversed or unreadable one in one line', () => {
    expect(parseTimeRange({ from: '2026-12-01T00:00:00Z', to: '2026-12-02T00:00:00Z' })).toEqual({
      fromMs: Date.UTC(2026, 11, 1),
      toMs: Date.UTC(2026, 11, 2),
    });
    expect(parseTimeRange({ last: '2h', to: '2026-12-02T00:00:00Z' })).toEqual({
      fromMs: Date.UTC(2026, 11, 1, 22),
      toMs: Date.UTC(2026, 11, 2),
    });
    expect(() => parseTimeRange({}, '--from-influx')).toThrow(
      '--from-influx needs --from (and optionally --to), or --last 24h',
    );
    expect(() => parseTimeRange({ from: '2026-12-02T00:00:00Z', to: '2026-12-01T00:00:00Z' })).toThrow(
      '--from 2026-12-02T00:00:00.000Z must be before --to 2026-12-01T00:00:00.000Z',
    );
    expect(() => parseTimeRange({ from: 'yesterday' })).toThrow(/^--from yesterday: expected an ISO-8601 time/);
    expect(() => parseTimeRange({ from: '2026-12-01T00:00:00Z', last: '1h' })).toThrow(
      '--from and --last: give one of them',
    );
  });
});
