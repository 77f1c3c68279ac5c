import { onDuty } from './on-call.js';
import { escalationStep } from './escalation-policy.js';

const people = [
  { name: 'Ana', email: 'ana@example.org' },
  { name: 'Bo', email: 'bo@example.org' },
  { name: 'Chen', email: 'chen@example.org' },
];

describe('on-call rotation', () => {
  const rotation = { people, startDate: '2026-01-05', timeZone: 'Asia/Shanghai' };

  it('hands over weekly at local midnight of the start weekday in the rotation’s time zone', () => {
    expect(onDuty(rotation, Date.parse('2026-01-05T00:00:00+08:00')).name).toBe('Ana');
    expect(onDuty(rotation, Date.parse('2026-01-11T23:59:59+08:00')).name).toBe('Ana');
    // 2026-01-12 00:30 in Shanghai is still the 11th in UTC: the local calendar decides.
    expect(onDuty(rotation, Date.parse('2026-01-12T00:30:00+08:00')).name).toBe('Bo');
    expect(onDuty(rotation, Date.parse('2026-01-19T12:00:00+08:00')).name).toBe('Chen');
    expect(onDuty(rotation, Date.parse('2026-01-26T12:00:00+08:00')).name).toBe('Ana');
  });

  it('runs backwards before the start date', () => {
    expect(onDuty(rotation, Date.parse('2026-01-04T12:00:00+08:00')).name).toBe('Chen');
  });
});

describe('escalation steps', () => {
  const policy = {
    levels: [{ afterSeconds: 0 }, { afterSeconds: 300 }, { afterSeconds: 600 }],
    repeatSeconds: 900,
    maxRepeats: 2,
  };

  it('walks the levels with each level’s delay, then repeats the last level at the interval up to maxRepeats', () => {
    expect(escalationStep(policy, 0)).toEqual({ level: 0, nextInMs: 300_000 });
    expect(escalationStep(policy, 1)).toEqual({ level: 1, nextInMs: 600_000 });
    expect(escalationStep(policy, 2)).toEqual({ level: 2, nextInMs: 900_000 });
    expect(escalationStep(policy, 3)).toEqual({ level: 2, nextInMs: 900_000 });
    expect(escalationStep(policy, 4)).toEqual({ level: 2 });
  });

  it('stops after the last level when nothing repeats', () => {
    expect(escalationStep({ ...policy, repeatSeconds: 0 }, 2)).toEqual({ level: 2 });
    expect(escalationStep({ levels: [{ afterSeconds: 0 }], repeatSeconds: 0, maxRepeats: 5 }, 0)).toEqual({ level: 0 });
  });
});
