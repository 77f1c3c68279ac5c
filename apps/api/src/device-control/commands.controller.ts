import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Inject, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { CommandStore } from '@citypulse/commands';
import { AuditLog } from '@citypulse/alert-store';
import { checkCommand, FIRMWARE_UPDATE_COMMAND } from '@citypulse/devices';
import { DeviceRegistry } from '@citypulse/registry';
import { Metrics } from '@citypulse/observability';
import { AdminOnly, CurrentTenancy } from '../auth/tenancy.decorator.js';
import type { Tenancy } from '../auth/tenancy.js';
import { badRequest } from '../common/bad-request.js';
import { CommandTimeouts } from './command-timeouts.js';
import { ListCommandsQuery } from './list-commands.query.js';
import { SendCommandDto } from './send-command.dto.js';
import { visibleDevice } from './visible-device.js';
import { DevicePath, DeviceCommandPath } from '../devices/device-path.js';
import { FirmwareUpdates } from '../firmware/firmware-updates.js';

/**
 * Commands to devices. A command is stored pending and delivered over MQTT (QoS 1) by the broker
 * holding the device — at once if connected, else when it next connects, until the deadline. Its
 * status moves to delivered on the device's PUBACK, then succeeded/failed on its ack, or timed-out.
 */
@Controller('devices')
export class CommandsController {
  constructor(
    private readonly registry: DeviceRegistry,
    private readonly commands: CommandStore,
    private readonly timeouts: CommandTimeouts,
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditLog,
    private readonly firmware: FirmwareUpdates,
  ) {}

  @Post(':id/commands')
  @AdminOnly()
  async send(@Param() { id }: DevicePath, @Body() body: SendCommandDto, @CurrentTenancy() tenancy: Tenancy) {
    const { device, type } = await visibleDevice(this.registry, id, tenancy);
    const isFirmware = body.name === FIRMWARE_UPDATE_COMMAND;
    const timeoutS =
      body.timeoutS ?? (isFirmware ? this.firmware.defaultTimeoutS : this.config.commands.defaultTimeoutS);
    if (timeoutS > this.config.commands.maxTimeoutS)
      throw badRequest([
        { field: 'timeoutS', message: `timeoutS must be at most ${this.config.commands.maxTimeoutS}` },
      ]);
    // firmware-update: the operator names an image; the device gets its url, size, sha256 and a download token.
    const firmware = isFirmware ? await this.firmware.plan(device, body.params ?? {}, tenancy, timeoutS) : undefined;
    if (firmware && !firmware.ok) throw badRequest([{ field: firmware.field, message: firmware.message }]);
    const checked = checkCommand(type, body.name, firmware?.ok ? firmware.params : (body.params ?? {}));
    const problems = checked.problems.map((p) => ({
      field: p.reason === 'unknown_command' ? 'name' : p.key === undefined ? 'params' : `params.${p.key}`,
      message: p.detail,
    }));
    if (problems.length > 0) throw badRequest(problems);

    // The timeout first: a command must never exist without the job that ends it.
    const commandId = randomUUID();
    const now = new Date();
    await this.timeouts.schedule({ commandId, deviceId: id }, timeoutS * 1000);
    // The image stays undeletable while the device may still fetch it.
    if (firmware?.ok && !(await this.firmware.holdFor(commandId, firmware.image, now.getTime() + timeoutS * 1000))) {
      throw badRequest([
        { field: 'params.imageId', message: `no firmware image ${firmware.image.id} in ${device.city}` },
      ]);
    }
    const command = await this.commands.create(
      { id: commandId, deviceId: id, name: body.name, params: checked.params, timeoutS },
      now,
    );
    this.metrics.commandTransitions.inc({ status: 'pending' });
    await this.audit.record({
      actor: tenancy.tokenName,
      action: 'device.command',
      target: `device:${id}`,
      detail:
        `${body.name}${firmware?.ok ? ` ${firmware.image.version} (image ${firmware.image.id})` : ''} ` +
        `(command ${commandId})`,
    });
    return command;
  }

  /** The device's commands, newest first. */
  @Get(':id/commands')
  async list(@Param() { id }: DevicePath, @Query() query: ListCommandsQuery, @CurrentTenancy() tenancy: Tenancy) {
    await visibleDevice(this.registry, id, tenancy);
    return { items: await this.commands.list(id, { limit: query.limit, offset: query.offset, status: query.status }) };
  }

  @Get(':id/commands/:commandId')
  async get(@Param() { id, commandId }: DeviceCommandPath, @CurrentTenancy() tenancy: Tenancy) {
    await visibleDevice(this.registry, id, tenancy);
    const command = await this.commands.get(id, commandId);
    if (!command) throw new NotFoundException(`command ${commandId} of device ${id} not found`);
    return command;
  }
}
