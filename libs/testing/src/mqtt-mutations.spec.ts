import mqttPacket from 'mqtt-packet';
import { seededRandom } from '@citypulse/random';
import { mutate, noise } from './mqtt-mutations.js';

const frame = mqttPacket.generate({
  cmd: 'publish',
  topic: 'devices/d1/telemetry',
  payload: Buffer.from('{"values":{"co2":500}}'),
  qos: 1,
  messageId: 9,
  retain: false,
  dup: false,
});

describe('MQTT frame mutations', () => {
  it('are repeatable: the same seed gives the same mutants', () => {
    const run = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 50 }, () => mutate(frame, random).bytes.toString('hex'));
    };
    expect(run(42)).toEqual(run(42));
    expect(run(42)).not.toEqual(run(43));
  });

  it('never hand back the original frame unchanged, and use every kind of corruption', () => {
    const random = seededRandom(7);
    const mutants = Array.from({ length: 2000 }, () => mutate(frame, random));
    const kinds = new Set(mutants.map((m) => m.how.replace(/\d+/g, 'N')));
    expect(kinds.size).toBeGreaterThanOrEqual(10);
    // A type or flag "change" may pick the same value; every other kind differs from the original.
    const unchanged = mutants.filter((m) => m.bytes.equals(frame));
    expect(unchanged.every((m) => /packet type set|header flags set|byte \d+ set to/.test(m.how))).toBe(true);
  });

  it('can declare a malformed five-byte remaining length and lengths that disagree with the bytes sent', () => {
    const random = seededRandom(3);
    const hows = Array.from({ length: 500 }, () => mutate(frame, random).how);
    expect(hows).toContain('remaining length of five bytes');
    expect(hows.some((h) => h.startsWith('remaining length raised'))).toBe(true);
    expect(hows.some((h) => h.startsWith('remaining length lowered'))).toBe(true);
  });

  it('makes noise of bounded length', () => {
    const random = seededRandom(1);
    const lengths = Array.from({ length: 200 }, () => noise(random, 64).bytes.length);
    expect(Math.min(...lengths)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(64);
  });
});
