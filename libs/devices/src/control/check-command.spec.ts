import { envSensor } from '../catalogue/building.js';
import { signalController } from '../catalogue/traffic.js';
import { checkCommand } from './check-command.js';

describe('checkCommand', () => {
  it('accepts a common command on every type, and a type’s own command on that type', () => {
    expect(checkCommand(envSensor, 'reboot')).toEqual({ params: {}, problems: [] });
    expect(checkCommand(envSensor, 'set-interval', { interval_s: 10 })).toEqual({
      params: { interval_s: 10 },
      problems: [],
    });
    expect(checkCommand(signalController, 'set-phase', { phase: 3 })).toEqual({ params: { phase: 3 }, problems: [] });
  });

  it('refuses a command the type does not have, listing the ones it has', () => {
    expect(checkCommand(envSensor, 'set-phase', { phase: 3 }).problems).toEqual([
      { reason: 'unknown_command', detail: expect.stringContaining('reboot, set-interval') },
    ]);
  });

  it('names a missing, an unknown and a bad param', () => {
    expect(checkCommand(envSensor, 'set-interval', {}).problems).toEqual([
      expect.objectContaining({ key: 'interval_s', reason: 'invalid_shape' }),
    ]);
    expect(checkCommand(envSensor, 'reboot', { force: true }).problems).toEqual([
      expect.objectContaining({ key: 'force', reason: 'unknown_field' }),
    ]);
    expect(checkCommand(envSensor, 'set-interval', { interval_s: -5 }).problems).toEqual([
      expect.objectContaining({ key: 'interval_s', reason: 'out_of_range' }),
    ]);
  });

  it('does not take null for a param (there is nothing to remove)', () => {
    expect(checkCommand(envSensor, 'set-interval', { interval_s: null }).problems).toEqual([
      expect.objectContaining({ key: 'interval_s', reason: 'wrong_type' }),
    ]);
  });

  it('checks the text params of firmware-update against their shape and length', () => {
    const params = {
      url: 'http://api.example/firmware/x/download',
      version: '1.2.0',
      size: 1024,
      sha256: 'a'.repeat(64),
      token: 'fwt1.abc.def',
    };
    expect(checkCommand(envSensor, 'firmware-update', params)).toEqual({ params, problems: [] });
    const bad = checkCommand(envSensor, 'firmware-update', {
      ...params,
      url: 'ftp://x',
      sha256: 'A'.repeat(64),
      version: 'v 1',
      token: 't'.repeat(1025),
    });
    expect(bad.problems.map((p) => [p.key, p.reason])).toEqual([
      ['url', 'wrong_type'],
      ['version', 'wrong_type'],
      ['sha256', 'wrong_type'],
      ['token', 'out_of_range'],
    ]);
    expect(checkCommand(envSensor, 'firmware-update', { ...params, size: '1024' }).problems).toEqual([
      expect.objectContaining({ key: 'size', reason: 'wrong_type' }),
    ]);
  });
});
