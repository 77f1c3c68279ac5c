import { ruleFeedReadings } from './rule-feed-readings.js';

const line = (device: string, t: number, v = t) =>
  `energy,city=tianjin,device_id=${device},device_type=electricity-meter,site=tj-1 voltage=${v} ${t}000000`;

describe('ruleFeedReadings', () => {
  it('groups readings by device in line order, with the device’s registry tags', () => {
    const feed = ruleFeedReadings([line('m1', 1), line('m2', 2), line('m1', 3, 231.5)]);
    expect(feed).toEqual([
      {
        deviceId: 'm1',
        deviceType: 'electricity-meter',
        city: 'tianjin',
        site: 'tj-1',
        readings: [
          [1, { voltage: 1 }],
          [3, { voltage: 231.5 }],
        ],
      },
      {
        deviceId: 'm2',
        deviceType: 'electricity-meter',
        city: 'tianjin',
        site: 'tj-1',
        readings: [[2, { voltage: 2 }]],
      },
    ]);
  });

  it('skips a line that is not line protocol', () => {
    expect(ruleFeedReadings(['not a line', line('m1', 5)]).map((d) => d.deviceId)).toEqual(['m1']);
  });
});
