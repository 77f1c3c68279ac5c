import type { CommandMessage, ConfigValue } from '@citypulse/contracts';

export const COMMAND_STATUSES = ['pending', 'delivered', 'succeeded', 'failed', 'timed-out'] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];

/** A command to one device and where it stands. */
export interface CommandRecord {
  id: string;
  deviceId: string;
  name: string;
  params: Record<string, ConfigValue>;
  status: CommandStatus;
  issuedAt: string;
  deadline: string;
  /** When the device's PUBACK for it arrived (or its ack, if that came first). */
  deliveredAt?: string;
  /** When it succeeded, failed or timed out. */
  finishedAt?: string;
  result?: unknown;
  error?: string;
}

/** What goes to the device on `devices/{id}/commands`. */
export function toCommandMessage(command: CommandRecord): CommandMessage {
  return {
    id: command.id,
    name: command.name,
    params: command.params,
    issuedAt: command.issuedAt,
    deadline: command.deadline,
  };
}
