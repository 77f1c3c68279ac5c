import { dueAt, liveStartMs, shiftPayload, shiftToNowMs } from './pace.js';

const HOUR = 3_600_000;
const start = Date.UTC(2025, 6, 1, 0);
const end = start + 2 * HOUR;
const wall = Date.UTC(2025, 6, 3, 12);

describe('replay pacing', () => {
  it('spaces publishes by simulated time divided by the speed, or sends at once as fast as possible', () => {
    expect(dueAt(start + HOUR, start, wall, 1)).toBe(wall + HOUR);
    expect(dueAt(start + HOUR, start, wall, 10)).toBe(wall + HOUR / 10);
    expect(dueAt(start + HOUR, start, wall, Infinity)).toBe(wall);
  });

  it.each([[1], [10], [Infinity], [0.5]])(
    'shifts timestamps so no reading is ever ahead of its send time at %s×',
    (speed) => {
      const shift = shiftToNowMs(start, end, wall, speed);
      for (const t of [start, start + HOUR, end]) {
        const sentAt = dueAt(t, start, wall, speed);
        expect(t + shift).toBeLessThanOrEqual(sentAt + 1e-6);
      }
    },
  );

  it('stamps each reading with its send time at 1×, and ends the capture at the start of a fast replay', () => {
    expect(start + shiftToNowMs(start, end, wall, 1)).toBe(wall);
    expect(end + shiftToNowMs(start, end, wall, Infinity)).toBe(wall);
    expect(end + shiftToNowMs(start, end, wall, 4)).toBe(dueAt(end, start, wall, 4));
  });

  it('starts a live run so that its last reading is sent at the simulated time it carries', () => {
    expect(liveStartMs(wall, 2 * HOUR, 1)).toBe(wall);
    expect(liveStartMs(wall, 2 * HOUR, Infinity)).toBe(wall - 2 * HOUR);
    expect(liveStartMs(wall, 2 * HOUR, 4)).toBe(wall - 1.5 * HOUR);
  });
});

describe('shiftPayload', () => {
  it('moves the timestamp of a single reading and of every reading in a batch', () => {
    expect(JSON.parse(shiftPayload('{"ts":1000,"values":{"co2":500}}', 500))).toEqual({
      ts: 1500,
      values: { co2: 500 },
    });
    expect(JSON.parse(shiftPayload('{"readings":[{"ts":1000,"values":{"a":1}},{"values":{"a":2}}]}', -1000))).toEqual({
      readings: [{ ts: 0, values: { a: 1 } }, { values: { a: 2 } }],
    });
  });

  it('moves ISO timestamps and SenML base times (seconds)', () => {
    expect(JSON.parse(shiftPayload('{"ts":"2025-07-01T00:00:00.000Z","values":{"a":1}}', HOUR)).ts).toBe(
      '2025-07-01T01:00:00.000Z',
    );
    expect(JSON.parse(shiftPayload('[{"bt":1000,"n":"a","v":1},{"n":"b","v":2}]', 5000))[0].bt).toBe(1005);
  });

  it('leaves garbage exactly as it was', () => {
    expect(shiftPayload('{"ts":1000,"values":{"te', 500)).toBe('{"ts":1000,"values":{"te');
  });
});
