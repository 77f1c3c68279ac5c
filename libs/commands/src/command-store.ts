import { randomUUID } from 'node:crypto';
import { luaScript, slotTag, type RedisClient, type ScriptRunner } from '@citypulse/redis';
import {
  deviceDeliveryChannel,
  type CommandAck,
  type ConfigValue,
  type DeviceDeliveryNotice,
} from '@citypulse/contracts';
import { COMMAND_STATUSES, type CommandRecord, type CommandStatus } from './command.js';
import { CREATE_COMMAND, MOVE_COMMAND } from './command-scripts.js';
import { ALLOWED_FROM } from './transitions.js';

export interface NewCommand {
  /** Given when the caller needs the id before the command exists (to schedule its timeout first). */
  id?: string;
  deviceId: string;
  name: string;
  params: Record<string, ConfigValue>;
  timeoutS: number;
}

export interface CommandRetention {
  /** Newest commands kept per device; older ones are deleted when a new one is issued. */
  keepPerDevice: number;
  /** How long a command is kept after its deadline. */
  keepAfterDeadlineS: number;
}

/**
 * `moved`: it changed, from `from`. Otherwise `status` is where it stands (undefined: no such command of this device).
 */
export type MoveResult = { moved: true; from: CommandStatus } | { moved: false; status?: CommandStatus };

/**
 * Device commands in Redis: a hash per command, and per device its history and the ids still
 * waiting for a PUBACK (pending). Every status change is one Lua script checking the transition
 * table (transitions.ts), so concurrent brokers, acks and timeouts cannot move a command twice.
 */
export class CommandStore {
  private readonly channel: string;
  private readonly createScript: ScriptRunner;
  private readonly moveScript: ScriptRunner;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly retention: CommandRetention,
  ) {
    this.channel = deviceDeliveryChannel(prefix);
    this.createScript = luaScript(redis, 'citypulse_command_create', CREATE_COMMAND);
    this.moveScript = luaScript(redis, 'citypulse_command_move', MOVE_COMMAND);
  }

  /** Stores a pending command and tells the brokers (the one holding the device delivers it). */
  async create(command: NewCommand, now = new Date()): Promise<CommandRecord> {
    return (await this.store(command, now, false)).record;
  }

  /**
   * Like `create`, but stores (and announces) nothing when a command of this id already exists:
   * `created` false. A dispatcher that may retry after a crash names its commands by what they are
   * for, so a retry never sends a device the same command twice.
   */
  createOnce(
    command: NewCommand & { id: string },
    now = new Date(),
  ): Promise<{ created: boolean; record: CommandRecord }> {
    return this.store(command, now, true);
  }

  private async store(
    command: NewCommand,
    now: Date,
    once: boolean,
  ): Promise<{ created: boolean; record: CommandRecord }> {
    const record: CommandRecord = {
      id: command.id ?? randomUUID(),
      deviceId: command.deviceId,
      name: command.name,
      params: command.params,
      status: 'pending',
      issuedAt: now.toISOString(),
      deadline: new Date(now.getTime() + command.timeoutS * 1000).toISOString(),
    };
    const notice: DeviceDeliveryNotice = { deviceId: command.deviceId, kind: 'commands' };
    const created = await this.createScript(
      [
        this.commandKey(command.deviceId, record.id),
        this.historyKey(command.deviceId),
        this.pendingKey(command.deviceId),
      ],
      [
        record.id,
        record.deviceId,
        record.name,
        JSON.stringify(record.params),
        record.issuedAt,
        record.deadline,
        now.getTime(),
        command.timeoutS + this.retention.keepAfterDeadlineS,
        this.retention.keepPerDevice,
        this.channel,
        JSON.stringify(notice),
        this.deviceTag(command.deviceId),
        once ? '1' : '0',
      ],
    );
    return { created: created === 1, record };
  }

  /** A command of this device (undefined for another device's command id). */
  async get(deviceId: string, id: string): Promise<CommandRecord | undefined> {
    const record = toRecord(await this.redis.hgetall(this.commandKey(deviceId, id)));
    return record?.deviceId === deviceId ? record : undefined;
  }

  /** The device's commands, newest first, optionally only those in one status; `offset` skipped. */
  async list(
    deviceId: string,
    options: { limit: number; offset?: number; status?: CommandStatus },
  ): Promise<CommandRecord[]> {
    const offset = options.offset ?? 0;
    // The history is bounded by keepPerDevice, so reading all of it to filter by status stays small.
    const ids = await this.redis.zrange(
      this.historyKey(deviceId),
      0,
      String(options.status ? -1 : offset + options.limit - 1),
      'REV',
    );
    const records = await this.getMany(deviceId, ids);
    return records.filter((r) => !options.status || r.status === options.status).slice(offset, offset + options.limit);
  }

  /** Commands still waiting for the device's PUBACK whose deadline has not passed, oldest first. */
  async due(deviceId: string, now = Date.now()): Promise<CommandRecord[]> {
    const ids = await this.redis.zrange(this.pendingKey(deviceId), 0, '-1');
    return (await this.getMany(deviceId, ids)).filter((r) => r.status === 'pending' && Date.parse(r.deadline) > now);
  }

  markDelivered(deviceId: string, id: string, at = new Date()): Promise<MoveResult> {
    return this.move(deviceId, id, 'delivered', at);
  }

  /** The device's ack. Refused (moved: false) for another device's command or one already finished. */
  complete(deviceId: string, ack: CommandAck, at = new Date()): Promise<MoveResult> {
    const result = ack.result === undefined ? '' : JSON.stringify(ack.result);
    return this.move(deviceId, ack.id, ack.status, at, result, ack.error ?? '');
  }

  timeOut(deviceId: string, id: string, at = new Date()): Promise<MoveResult> {
    return this.move(deviceId, id, 'timed-out', at);
  }

  /**
   * Status (and error) of many commands of many devices; undefined for one that no longer exists.
   * One command each, not a pipeline: on a Redis Cluster the devices' keys lie in different slots.
   */
  async statuses(
    refs: ReadonlyArray<{ deviceId: string; id: string }>,
  ): Promise<Array<{ status: CommandStatus; error?: string } | undefined>> {
    const rows = await Promise.all(
      refs.map((ref) => this.redis.hmget(this.commandKey(ref.deviceId, ref.id), 'status', 'error', 'deviceId')),
    );
    return rows.map(([status, error, deviceId], i) => {
      if (!status || deviceId !== refs[i].deviceId || !COMMAND_STATUSES.includes(status as CommandStatus))
        return undefined;
      return { status: status as CommandStatus, ...(error ? { error } : {}) };
    });
  }

  /** Forgets every command of a device (it was deleted; a device provisioned again under its id starts clean). */
  async removeDevice(deviceId: string): Promise<void> {
    const ids = await this.redis.zrange(this.historyKey(deviceId), 0, '-1');
    await this.redis.del(
      this.historyKey(deviceId),
      this.pendingKey(deviceId),
      ...ids.map((id) => this.commandKey(deviceId, id)),
    );
  }

  private async move(
    deviceId: string,
    id: string,
    to: CommandStatus,
    at: Date,
    result = '',
    error = '',
  ): Promise<MoveResult> {
    const [moved, status] = (await this.moveScript(
      [this.commandKey(deviceId, id), this.pendingKey(deviceId)],
      [to, at.toISOString(), deviceId, result, error, ...ALLOWED_FROM[to]],
    )) as [number, string];
    if (moved === 1) return { moved: true, from: status as CommandStatus };
    return status ? { moved: false, status: status as CommandStatus } : { moved: false };
  }

  private async getMany(deviceId: string, ids: string[]): Promise<CommandRecord[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.commandKey(deviceId, id));
    const hashes = (await pipeline.exec()) ?? [];
    // A command can expire between reading the ids and the hashes: skip it.
    return hashes
      .map(([, hash]) => toRecord(hash as Record<string, string>))
      .filter((r): r is CommandRecord => r !== undefined);
  }

  /**
   * A device's commands share one hash tag, `{<prefix>:cmd:<deviceId>}`: the scripts change a
   * command with its device's history and pending set at once, and on a Redis Cluster the devices'
   * commands spread over every shard.
   */
  private deviceTag(deviceId: string): string {
    return slotTag(this.prefix, `cmd:${deviceId}`);
  }
  private commandKey(deviceId: string, id: string): string {
    return `${this.deviceTag(deviceId)}:command:${id}`;
  }
  private historyKey(deviceId: string): string {
    return `${this.deviceTag(deviceId)}:history`;
  }
  private pendingKey(deviceId: string): string {
    return `${this.deviceTag(deviceId)}:pending`;
  }
}

function toRecord(hash: Record<string, string> | null | undefined): CommandRecord | undefined {
  if (!hash || !hash.id || !COMMAND_STATUSES.includes(hash.status as CommandStatus)) return undefined;
  return {
    id: hash.id,
    deviceId: hash.deviceId,
    name: hash.name,
    params: JSON.parse(hash.params) as Record<string, ConfigValue>,
    status: hash.status as CommandStatus,
    issuedAt: hash.issuedAt,
    deadline: hash.deadline,
    ...(hash.deliveredAt && { deliveredAt: hash.deliveredAt }),
    ...(hash.finishedAt && { finishedAt: hash.finishedAt }),
    ...(hash.result !== undefined && { result: JSON.parse(hash.result) as unknown }),
    ...(hash.error !== undefined && { error: hash.error }),
  };
}
