import type { CommandStatus } from './command.js';

/**
 * Which status a command may move to from which: pending → delivered (PUBACK) → succeeded / failed
 * (the device's ack) or timed-out (the deadline). An ack may overtake the PUBACK's bookkeeping, so
 * the outcomes are reachable from pending too; nothing leaves a final status, so a late ack never
 * turns a timed-out command into a success, and a late PUBACK never moves a finished one back.
 */
export const ALLOWED_FROM: Readonly<Record<CommandStatus, readonly CommandStatus[]>> = {
  pending: [],
  delivered: ['pending'],
  succeeded: ['pending', 'delivered'],
  failed: ['pending', 'delivered'],
  'timed-out': ['pending', 'delivered'],
};

export function isFinal(status: CommandStatus): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'timed-out';
}

export function mayMove(from: CommandStatus, to: CommandStatus): boolean {
  return ALLOWED_FROM[to].includes(from);
}
