import { MinuteAggregates } from './minute-aggregates.js';

const at = (minute: number, second = 0) => Date.UTC(2026, 11, 5, 2, minute, second);
const ns = (ms: number) => `${ms}000000`;
const SERIES = 'building,city=beijing,device_id=b-1,device_type=env-sensor,site=bj-1';

describe('MinuteAggregates', () => {
  it('keeps what InfluxDB’s min(*), max(*), sum(*), count(*) would give, per series and minute', () => {
    const aggregates = new MinuteAggregates();
    aggregates.add(
      3,
      SERIES,
      ['temperature', 'door_open', 'note'],
      [at(1, 5), at(1, 30), at(1, 59), at(2, 0)],
      [
        [21.5, false, 'a b'],
        [19, true, null],
        [-2.25, null, 'x'],
        [30, false, null],
      ],
      0,
    );
    expect(aggregates.heldMinutes()).toEqual([at(1), at(2)]);
    expect(aggregates.take(at(1), () => true)).toEqual([
      `${SERIES} min_temperature=-2.25,max_temperature=21.5,sum_temperature=38.25,count_temperature=3i,` +
        `min_door_open=false,max_door_open=true,count_door_open=2i,count_note=2i ${ns(at(1))}`,
    ]);
    expect(aggregates.take(at(2), () => true)).toEqual([
      `${SERIES} min_temperature=30,max_temperature=30,sum_temperature=30,count_temperature=1i,` +
        `min_door_open=false,max_door_open=false,count_door_open=1i ${ns(at(2))}`,
    ]);
    expect(aggregates.heldMinutes()).toEqual([]);
  });

  it('adds a series’ readings over several batches, and leaves out those before a time', () => {
    const aggregates = new MinuteAggregates();
    aggregates.add(0, SERIES, ['co2'], [at(4, 1), at(5, 1)], [[400], [500]], at(5));
    aggregates.add(0, SERIES, ['co2'], [at(5, 2)], [[450]], at(5));
    expect(aggregates.heldMinutes()).toEqual([at(5)]);
    expect(aggregates.take(at(5), () => true)).toEqual([
      `${SERIES} min_co2=450,max_co2=500,sum_co2=950,count_co2=2i ${ns(at(5))}`,
    ]);
  });

  it('gives the lines of the partitions asked for and drops the others’ with the minute', () => {
    const aggregates = new MinuteAggregates();
    aggregates.add(1, 'energy,device_id=e-1', ['kwh'], [at(7)], [[1.5]], 0);
    aggregates.add(2, 'energy,device_id=e-2', ['kwh'], [at(7)], [[2.5]], 0);
    expect(aggregates.take(at(7), (partition) => partition === 2)).toEqual([
      `energy,device_id=e-2 min_kwh=2.5,max_kwh=2.5,sum_kwh=2.5,count_kwh=1i ${ns(at(7))}`,
    ]);
    expect(aggregates.take(at(7), () => true)).toEqual([]);
  });

  it('escapes field keys as line protocol needs', () => {
    const aggregates = new MinuteAggregates();
    aggregates.add(0, 'm', ['a b,c=d'], [at(1)], [[1]], 0);
    expect(aggregates.take(at(1), () => true)).toEqual([
      `m min_a\\ b\\,c\\=d=1,max_a\\ b\\,c\\=d=1,sum_a\\ b\\,c\\=d=1,count_a\\ b\\,c\\=d=1i ${ns(at(1))}`,
    ]);
  });
});
