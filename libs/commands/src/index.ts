// Public entry of @citypulse/commands: commands to devices and their status, in Redis.
export { CommandStore, type NewCommand, type CommandRetention, type MoveResult } from './command-store.js';
export { COMMAND_STATUSES, toCommandMessage, type CommandRecord, type CommandStatus } from './command.js';
export { ALLOWED_FROM, isFinal, mayMove } from './transitions.js';
