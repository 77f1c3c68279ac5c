import type { DeviceRef } from '@citypulse/contracts';
import { encodeEntries, mergeDeviceReadings, type HandoffItem } from './entry.js';

const meter: DeviceRef = { deviceId: 'm1', deviceType: 'electricity-meter', city: 'tianjin', site: 'tj-1' };
const sensor: DeviceRef = { deviceId: 's1', deviceType: 'env-sensor', city: 'beijing', site: 'bj-1' };
const item = (device: DeviceRef, ...ts: number[]): HandoffItem => ({
  device,
  lines: ts.map((t) => `m,device_id=${device.deviceId} v=${t} ${t}000000`),
  readings: ts.map((t) => [t, { v: t }]),
});

describe('hand-off entries', () => {
  it('keeps lines in publish order and groups each device’s readings once per entry', () => {
    const [entry] = encodeEntries([item(meter, 1, 2), item(sensor, 3), item(meter, 4)], 100);
    expect(entry.n).toBe(4);
    expect(entry.lp.split('\n').map((l) => l.split(' ')[1])).toEqual(['v=1', 'v=2', 'v=3', 'v=4']);
    expect(JSON.parse(entry.rf)).toEqual([
      { ...meter, readings: [[1, { v: 1 }], [2, { v: 2 }], [4, { v: 4 }]] },
      { ...sensor, readings: [[3, { v: 3 }]] },
    ]);
  });

  it('splits at the entry size limit, even inside one publish’s batch', () => {
    const entries = encodeEntries([item(meter, 1, 2, 3), item(sensor, 4, 5)], 2);
    expect(entries.map((e) => e.n)).toEqual([2, 2, 1]);
    expect(entries.map((e) => e.lp.split('\n').length)).toEqual([2, 2, 1]);
    expect(JSON.parse(entries[1].rf).map((g: { deviceId: string }) => g.deviceId)).toEqual(['m1', 's1']);
  });

  it('merges the rule feeds of several entries into one group per device, in stream order', () => {
    const entries = encodeEntries([item(meter, 1, 2, 3), item(sensor, 4, 5)], 2);
    const merged = mergeDeviceReadings(entries.map((e) => JSON.parse(e.rf)));
    expect(merged.map((g) => [g.deviceId, g.readings.map(([t]) => t)])).toEqual([
      ['m1', [1, 2, 3]],
      ['s1', [4, 5]],
    ]);
  });
});
