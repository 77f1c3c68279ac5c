import { jest } from '@jest/globals';
import type { FeedDevice } from '@citypulse/contracts';
import { RuleFeedWindow } from './rule-feed-window.js';

const part = (deviceId: string, ...times: number[]): FeedDevice => ({
  deviceId,
  deviceType: 'env-sensor',
  city: 'beijing',
  site: 'b-1',
  fields: ['co2'],
  times,
  values: JSON.stringify(times.map(() => [500])),
});
const summary = (devices: FeedDevice[]) => devices.map((d) => [d.deviceId, d.times]);

describe('RuleFeedWindow', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('hands on the rounds of a window maxWaitMs after the first, merged by device, in order', () => {
    const handed: FeedDevice[][] = [];
    const window = new RuleFeedWindow({ maxWaitMs: 100, maxReadings: 1000 }, (d) => handed.push(d));
    window.add([part('a', 1), part('b', 1)]);
    jest.advanceTimersByTime(60);
    window.add([part('a', 2)]);
    window.add([]);
    jest.advanceTimersByTime(39);
    expect(handed).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(handed.map(summary)).toEqual([
      [
        ['a', [1, 2]],
        ['b', [1]],
      ],
    ]);
    // The next window opens with the next round that brings readings.
    window.add([]);
    jest.advanceTimersByTime(500);
    expect(handed).toHaveLength(1);
    window.add([part('b', 2)]);
    window.flush();
    expect(handed.map(summary)[1]).toEqual([['b', [2]]]);
    jest.advanceTimersByTime(500);
    expect(handed).toHaveLength(2);
  });

  it('hands on at once when maxReadings wait, however young the window', () => {
    const handed: FeedDevice[][] = [];
    const window = new RuleFeedWindow({ maxWaitMs: 100, maxReadings: 3 }, (d) => handed.push(d));
    window.add([part('a', 1, 2)]);
    window.add([part('b', 1)]);
    expect(handed).toHaveLength(1);
    jest.advanceTimersByTime(1000);
    window.flush();
    expect(handed).toHaveLength(1);
  });
});
