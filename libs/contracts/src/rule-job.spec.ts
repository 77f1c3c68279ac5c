import { packDeviceReadings, unpackDeviceReadings } from './rule-job.js';
import type { DeviceReadings } from './reading.js';

const device = (readings: DeviceReadings['readings']): DeviceReadings => ({
  deviceId: 'm-1',
  deviceType: 'electricity-meter',
  city: 'tianjin',
  site: 's-1',
  readings,
});

describe('packed rule-job readings', () => {
  it('round-trips readings with differing fields, booleans, strings and zeros, in order', () => {
    const original = device([
      [1000, { voltage: 229.5, current: 0 }],
      [1001, { voltage: 230, online: false }],
      [999, { mode: 'eco', current: -1.5 }],
    ]);
    const packed = packDeviceReadings(original);
    expect(packed.fields).toEqual(['voltage', 'current', 'online', 'mode']);
    expect(packed.rows[1]).toEqual([1001, 230, null, false, null]);
    expect(unpackDeviceReadings(JSON.parse(JSON.stringify(packed)))).toEqual(original);
  });

  it('is smaller as JSON than the unpacked form for a meter’s readings', () => {
    const readings: DeviceReadings['readings'] = Array.from({ length: 100 }, (_, i) => [
      1_700_000_000_000 + i,
      { voltage: 229.5, current: 5.25, power: 1204.9, energy: 10_000 + i, pf: 0.97 },
    ]);
    expect(JSON.stringify(packDeviceReadings(device(readings))).length).toBeLessThan(
      JSON.stringify(device(readings)).length * 0.6,
    );
  });
});
