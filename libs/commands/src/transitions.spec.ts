import { COMMAND_STATUSES, type CommandStatus } from './command.js';
import { isFinal, mayMove } from './transitions.js';

describe('command transitions', () => {
  it.each<[CommandStatus, CommandStatus]>([
    ['pending', 'delivered'],
    ['delivered', 'succeeded'],
    ['delivered', 'failed'],
    ['delivered', 'timed-out'],
    ['pending', 'succeeded'],
    ['pending', 'timed-out'],
  ])('moves from %s to %s', (from, to) => {
    expect(mayMove(from, to)).toBe(true);
  });

  it('never leaves a final status', () => {
    const finals = COMMAND_STATUSES.filter(isFinal);
    expect(finals).toEqual(['succeeded', 'failed', 'timed-out']);
    for (const from of finals) for (const to of COMMAND_STATUSES) expect(mayMove(from, to)).toBe(false);
  });

  it('does not move a delivered command back to delivered, nor anything back to pending', () => {
    expect(mayMove('delivered', 'delivered')).toBe(false);
    for (const from of COMMAND_STATUSES) expect(mayMove(from, 'pending')).toBe(false);
  });
});
