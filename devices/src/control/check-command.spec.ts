import { envSensor } from '../catalogue/building.js';
import { signalController } from '../catalogue/traffic.js';
import { checkCommand } from './check-command.js';

describe('checkCommand', () => {
  it('accepts a common command on every type, and a type’s own command on that type', () => {
    expect(checkCommand(envSensor, 'reboot')).toEqual({ params: {}, problems: [] });
    expect(checkCommand(envSensor, 'set-interval', { interval_s: 10 })).toEqual({ params: { interval_s: 10 }, problems: [] });
    expect(checkCommand(signalController, 'set-phase', { phase: 3 })).toEqual({ params: { phase: 3 }, problems: [] });
  });

  it('refuses a command the type does not have, listing the ones it has', () => {
    expect(checkCommand(envSensor, 'set-phase', { phase: 3 }).problems).toEqual([
      { reason: 'unknown_command', detail: expect.stringContaining('reboot, set-interval') },
    ]);
  });

  it('names a missing, an unknown and a bad param', () => {
    expect(checkCommand(envSensor, 'set-interval', {}).problems).toEqual([expect.objectContaining({ key: 'interval_s', reason: 'invalid_shape' })]);
    expect(checkCommand(envSensor, 'reboot', { force: true }).problems).toEqual([expect.objectContaining({ key: 'force', reason: 'unknown_field' })]);
    expect(checkCommand(envSensor, 'set-interval', { interval_s: -5 }).problems).toEqual([expect.objectContaining({ key: 'interval_s', reason: 'out_of_range' })]);
  });

  it('does not take null for a param (there is nothing to remove)', () => {
    expect(checkCommand(envSensor, 'set-interval', { interval_s: null }).problems).toEqual([expect.objectContaining({ key: 'interval_s', reason: 'wrong_type' })]);
  });
});
