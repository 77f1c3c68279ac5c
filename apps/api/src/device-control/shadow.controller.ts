import { Body, ConflictException, Controller, Get, Param, Put } from '@nestjs/common';
import { checkConfigPatch } from '@citypulse/devices';
import { DeviceRegistry } from '@citypulse/registry';
import { ShadowStore } from '@citypulse/shadow';
import { AuditLog } from '@citypulse/alert-store';
import { AdminOnly, CurrentTenancy } from '../auth/tenancy.decorator.js';
import type { Tenancy } from '../auth/tenancy.js';
import { badRequest } from '../common/bad-request.js';
import { SetDesiredDto } from './set-desired.dto.js';
import { visibleDevice } from './visible-device.js';
import { DevicePath } from '../devices/device-path.js';

/**
 * The device shadow: desired configuration (set here), reported configuration (from the device's
 * state topic), their versions and times, and the delta. A desired change reaches a connected
 * device at once, on whichever broker it is; an offline one gets it when it next connects.
 */
@Controller('devices')
export class ShadowController {
  constructor(
    private readonly registry: DeviceRegistry,
    private readonly shadows: ShadowStore,
    private readonly audit: AuditLog,
  ) {}

  @Get(':id/shadow')
  async get(@Param() { id }: DevicePath, @CurrentTenancy() tenancy: Tenancy) {
    await visibleDevice(this.registry, id, tenancy);
    return this.shadows.get(id);
  }

  /**
   * Merges `desired` into the desired configuration (null removes a key); with `version`, only if nobody changed it
   * since.
   */
  @Put(':id/shadow/desired')
  @AdminOnly()
  async setDesired(@Param() { id }: DevicePath, @Body() body: SetDesiredDto, @CurrentTenancy() tenancy: Tenancy) {
    const { type } = await visibleDevice(this.registry, id, tenancy);
    const checked = checkConfigPatch(type, body.desired);
    const problems = [...checked.problems];
    if (problems.length === 0 && Object.keys(checked.values).length === 0)
      problems.push({ reason: 'invalid_shape', detail: 'set or remove at least one config key' });
    if (problems.length > 0)
      throw badRequest(
        problems.map((p) => ({ field: p.key === undefined ? 'desired' : `desired.${p.key}`, message: p.detail })),
      );
    const updated = await this.shadows.setDesired(id, checked.values, { expectedVersion: body.version });
    if (!updated.ok) {
      const message =
        `the desired configuration is at version ${updated.currentVersion}, not ${body.version}; read it again ` +
        `and retry`;
      throw new ConflictException({
        statusCode: 409,
        error: 'Conflict',
        message,
        fields: [{ field: 'version', problems: [message] }],
        currentVersion: updated.currentVersion,
      });
    }
    await this.audit.record({
      actor: tenancy.tokenName,
      action: 'device.shadow.desired',
      target: `device:${id}`,
      detail: JSON.stringify(body.desired),
    });
    return updated.shadow;
  }
}
