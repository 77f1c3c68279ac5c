import {
  Body,
  ConflictException,
  Controller,
  Delete,
  ForbiddenException,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import { DeviceCertificateStore } from '@citypulse/certificates';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import {
  DEFAULT_SCRYPT,
  DeviceExistsError,
  DeviceRegistry,
  PresenceStore,
  toPublic,
  type DeviceRecord,
  type ScryptParams,
} from '@citypulse/registry';
import { AuditLog, LastSeenIndex } from '@citypulse/alert-store';
import { withLastReading } from './last-seen.js';
import { AdminOnly, CurrentTenancy } from '../auth/tenancy.decorator.js';
import type { Tenancy } from '../auth/tenancy.js';
import { ListDevicesQuery } from './list-devices.query.js';
import { ProvisionDeviceDto } from './provision-device.dto.js';
import { UpdateDeviceDto } from './update-device.dto.js';
import { DevicePath } from './device-path.js';
import { IdNamespaces, scopedIdProblem } from './id-namespace.js';
import { badRequest } from '../common/bad-request.js';

/**
 * The device registry over HTTP. Every route answers only within the caller's cities: a device of
 * another city is "not found" (404), never "forbidden", so a city-scoped token learns nothing of
 * other tenants. Rotate, revoke and delete take effect on live connections at once, on every broker.
 */
@Controller('devices')
export class DevicesController {
  private readonly scrypt: ScryptParams;

  constructor(
    private readonly registry: DeviceRegistry,
    private readonly certificates: DeviceCertificateStore,
    private readonly presence: PresenceStore,
    private readonly lastSeen: LastSeenIndex,
    private readonly audit: AuditLog,
    private readonly namespaces: IdNamespaces,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.scrypt = { ...DEFAULT_SCRYPT, N: config.provisioning.secretScryptN };
  }

  /** Provisions a device. The secret is in this response only; citypulse keeps just its hash. */
  @Post()
  @AdminOnly()
  async provision(@Body() body: ProvisionDeviceDto, @CurrentTenancy() tenancy: Tenancy) {
    if (!tenancy.allows(body.city)) throw outsideTenancy(body.city);
    // Before any lookup of the id: a city learns nothing of ids outside its namespace (id-namespace.ts).
    const scoped = scopedIdProblem(body.id, body.city, tenancy);
    if (scoped) throw badRequest([{ field: 'id', message: scoped }]);
    const reserved = (await this.namespaces.reserved([body])).get(body.id);
    if (reserved) throw badRequest([{ field: 'id', message: reserved }]);
    try {
      const { device, secret } = await this.registry.provision(body, this.scrypt);
      await this.record(tenancy, 'device.provision', device.id, `${device.type} in ${device.city}/${device.site}`);
      return { ...toPublic(device), secret };
    } catch (err) {
      if (err instanceof DeviceExistsError)
        throw new ConflictException({
          statusCode: 409,
          error: 'Conflict',
          message: err.message,
          fields: [{ field: 'id', problems: [err.message] }],
        });
      throw err;
    }
  }

  /** A page of devices with their presence, in id order; `total` counts every match. */
  @Get()
  async list(@Query() query: ListDevicesQuery, @CurrentTenancy() tenancy: Tenancy) {
    const { items, total } = await this.registry.list({ ...query, withinCities: tenancy.withinCities });
    const ids = items.map((d) => d.id);
    const presence = await withLastReading(this.lastSeen, ids, await this.presence.getMany(ids));
    return {
      items: items.map((d, i) => ({ ...toPublic(d), presence: presence[i] })),
      total,
      offset: query.offset,
      limit: query.limit,
    };
  }

  @Get(':id')
  async get(@Param() { id }: DevicePath, @CurrentTenancy() tenancy: Tenancy) {
    const device = await this.visible(id, tenancy);
    const [presence] = await withLastReading(this.lastSeen, [id], [await this.presence.get(id)]);
    return { ...toPublic(device), presence };
  }

  /** Moves a device to another site or city, or renames it; its index entries, certificates and live session follow. */
  @Patch(':id')
  @AdminOnly()
  async update(@Param() { id }: DevicePath, @Body() body: UpdateDeviceDto, @CurrentTenancy() tenancy: Tenancy) {
    await this.visible(id, tenancy);
    if (body.city !== undefined && !tenancy.allows(body.city)) throw outsideTenancy(body.city);
    const reserved =
      body.city === undefined ? undefined : (await this.namespaces.reserved([{ id, city: body.city }])).get(id);
    if (reserved) throw badRequest([{ field: 'city', message: reserved }]);
    const device = await this.registry.update(id, body);
    if (!device) throw notFound(id);
    // Its certificates follow: listed in the new city only, revocations kept (idempotent, so a retried PATCH repairs a
    // failure here).
    if (body.city !== undefined) await this.certificates.moveDevice(id, body.city);
    await this.record(tenancy, 'device.update', id, JSON.stringify(body));
    return toPublic(device);
  }

  /**
   * Deletes the device and disconnects it if connected. Its certificates go first, their serials
   * staying revoked, so a device provisioned later under the same id cannot log in with them.
   */
  @Delete(':id')
  @HttpCode(204)
  @AdminOnly()
  async remove(@Param() { id }: DevicePath, @CurrentTenancy() tenancy: Tenancy) {
    await this.visible(id, tenancy);
    await this.certificates.removeDevice(id);
    if (!(await this.registry.remove(id))) throw notFound(id);
    await this.record(tenancy, 'device.delete', id);
  }

  /** A new secret, shown once; the old one stops working and a connected device is disconnected. Lifts a revocation. */
  @Post(':id/rotate')
  @HttpCode(200)
  @AdminOnly()
  async rotate(@Param() { id }: DevicePath, @CurrentTenancy() tenancy: Tenancy) {
    await this.visible(id, tenancy);
    const issued = await this.registry.rotate(id, this.scrypt);
    if (!issued) throw notFound(id);
    await this.record(tenancy, 'device.rotate', id, `credential version ${issued.device.credentialVersion}`);
    return { id, secret: issued.secret, credentialVersion: issued.device.credentialVersion };
  }

  /** Refuses the device from now on (CONNACK 5) and disconnects it at once; rotate to reinstate it. */
  @Post(':id/revoke')
  @HttpCode(200)
  @AdminOnly()
  async revoke(@Param() { id }: DevicePath, @CurrentTenancy() tenancy: Tenancy) {
    await this.visible(id, tenancy);
    const device = await this.registry.revoke(id);
    if (!device) throw notFound(id);
    await this.record(tenancy, 'device.revoke', id);
    return { id, revoked: device.revoked, credentialVersion: device.credentialVersion };
  }

  /** Every change to a device goes to the audit log: who (the token), what, which device. */
  private async record(tenancy: Tenancy, action: string, id: string, detail?: string): Promise<void> {
    await this.audit.record({ actor: tenancy.tokenName, action, target: `device:${id}`, ...(detail && { detail }) });
  }

  private async visible(id: string, tenancy: Tenancy): Promise<DeviceRecord> {
    const device = await this.registry.get(id);
    if (!device || !tenancy.allows(device.city)) throw notFound(id);
    return device;
  }
}

const notFound = (id: string) => new NotFoundException(`device ${id} not found`);

function outsideTenancy(city: string): ForbiddenException {
  const message = `this token is not allowed to manage devices in city ${city}`;
  return new ForbiddenException({
    statusCode: 403,
    error: 'Forbidden',
    message,
    fields: [{ field: 'city', problems: [message] }],
  });
}
