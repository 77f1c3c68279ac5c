import { randomUUID } from 'node:crypto';
import {
  Body,
  ConflictException,
  Controller,
  ForbiddenException,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
  Sse,
  type MessageEvent,
} from '@nestjs/common';
import { Observable, distinctUntilChanged, filter, from, map, switchMap, takeWhile, timer } from 'rxjs';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { AuditLog } from '@citypulse/alert-store';
import { DeviceRegistry, type DeviceRecord } from '@citypulse/registry';
import type { ConfigValue } from '@citypulse/contracts';
import { FirmwareCatalogue } from '@citypulse/firmware';
import {
  JobStore,
  isFinalJobState,
  jobImageHolder,
  toSummary,
  type JobSpec,
  type JobState,
  type StoredJob,
} from '@citypulse/jobs';
import { FirmwareUpdates } from '../firmware/firmware-updates.js';
import { AdminOnly, CurrentTenancy } from '../auth/tenancy.decorator.js';
import type { Tenancy } from '../auth/tenancy.js';
import { badRequest } from '../common/bad-request.js';
import { CreateJobDto } from './create-job.dto.js';
import { JobDevicesQuery, JobPath, ListJobsQuery } from './job-queries.dto.js';
import { resolveSelection } from './resolve-selection.js';
import { checkPayload } from './check-payload.js';
import { FleetJobTicks } from './fleet-job-ticks.js';

const DAY_MS = 86_400_000;

/** Moves an operator may make, and the job states each applies to. */
const CONTROLS: Record<'pause' | 'resume' | 'cancel', { to: JobState; from: JobState[] }> = {
  pause: { to: 'paused', from: ['running'] },
  resume: { to: 'running', from: ['paused'] },
  cancel: { to: 'cancelled', from: ['running', 'paused'] },
};

/**
 * Fleet jobs: one command, desired config or firmware update rolled out over a city's devices in
 * steps, with an abort threshold (libs/jobs). The API stores the job and starts its ticks; the
 * alerts workers run them. A job belongs to its selection's city: other cities' tokens get 404.
 */
@Controller('jobs')
export class JobsController {
  constructor(
    private readonly registry: DeviceRegistry,
    private readonly jobs: JobStore,
    private readonly ticks: FleetJobTicks,
    private readonly audit: AuditLog,
    private readonly firmware: FirmwareUpdates,
    private readonly catalogue: FirmwareCatalogue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @AdminOnly()
  async create(@Body() body: CreateJobDto, @CurrentTenancy() tenancy: Tenancy) {
    const { selection } = body;
    if (!tenancy.allows(selection.city)) {
      const message = `this token is not allowed to manage devices in city ${selection.city}`;
      throw new ForbiddenException({
        statusCode: 403,
        error: 'Forbidden',
        message,
        fields: [{ field: 'selection.city', problems: [message] }],
      });
    }
    const problems: Array<{ field: string; message: string }> = [];
    const now = Date.now();
    const deadlineMs = body.deadline ? Date.parse(body.deadline) : now + DAY_MS;
    if (deadlineMs <= now) problems.push({ field: 'deadline', message: 'deadline must be in the future' });
    const deviceTimeoutS =
      body.deviceTimeoutS ??
      (body.kind === 'firmware' ? this.firmware.defaultTimeoutS : this.config.commands.defaultTimeoutS);
    if (deviceTimeoutS > this.config.commands.maxTimeoutS)
      problems.push({
        field: 'deviceTimeoutS',
        message: `deviceTimeoutS must be at most ${this.config.commands.maxTimeoutS}`,
      });
    if (body.rollout.initialCount !== undefined && body.rollout.initialPercent !== undefined)
      problems.push({ field: 'rollout.initialCount', message: 'give initialCount or initialPercent, not both' });
    if (problems.length > 0) throw badRequest(problems);

    const resolved = await resolveSelection(this.registry, selection, this.config.jobs.maxDevices);
    if (resolved.unknown.length > 0) {
      const unknown = `${resolved.unknown.slice(0, 20).join(', ')}${resolved.unknown.length > 20 ? ' …' : ''}`;
      throw badRequest([{ field: 'selection.deviceIds', message: `no such device in ${selection.city}: ${unknown}` }]);
    }
    if (resolved.tooMany)
      throw badRequest([
        {
          field: 'selection',
          message: `the selection has more than ${this.config.jobs.maxDevices} devices (CP_JOBS_MAX_DEVICES)`,
        },
      ]);
    if (resolved.devices.length === 0)
      throw badRequest([{ field: 'selection', message: 'the selection matches no device' }]);
    const id = randomUUID();
    const planned =
      body.kind === 'firmware'
        ? await this.planFirmware(body.firmware!.imageId, resolved.devices, tenancy, deviceTimeoutS, deadlineMs)
        : undefined;
    const checked = planned ?? checkPayload(body, [...new Set(resolved.devices.map((d) => d.type))]);
    if (!checked.payload) throw badRequest(checked.problems);

    const total = resolved.devices.length;
    const initialCount = Math.min(
      total,
      body.rollout.initialCount ?? Math.max(1, Math.ceil((total * (body.rollout.initialPercent ?? 1)) / 100)),
    );
    const spec: JobSpec = {
      name: body.name ?? `${body.kind} to ${total} devices in ${selection.city}`,
      payload: checked.payload,
      selection: { ...selection, ...(selection.deviceIds && { deviceIds: [...new Set(selection.deviceIds)].sort() }) },
      rollout: { initialCount, ratePerMinute: body.rollout.ratePerMinute },
      abortFailurePercent: body.abortFailurePercent ?? 10,
      successPercent: body.successPercent ?? 100,
      deviceTimeoutS,
      deadlineMs,
      createdBy: tenancy.tokenName,
    };
    // A firmware image is held from deletion until no device can still be sent it (or the job ends first).
    if (checked.payload.kind === 'firmware')
      await this.catalogue.markInUse(checked.payload.imageId, jobImageHolder(id), deadlineMs + deviceTimeoutS * 1000);
    const job = await this.jobs.create(
      id,
      spec,
      resolved.devices.map((d) => d.id),
      new Date(now),
      planned?.paramsByDevice,
    );
    await this.ticks.start(id);
    await this.audit.record({
      actor: tenancy.tokenName,
      action: 'fleet-job.create',
      target: `fleet-job:${id}`,
      detail: `${spec.name}: ${body.kind} to ${total} devices`,
    });
    return toSummary(job);
  }

  /** Jobs of the caller's cities, newest first. */
  @Get()
  async list(@Query() query: ListJobsQuery, @CurrentTenancy() tenancy: Tenancy) {
    const { items, total } = await this.jobs.list({
      cities: tenancy.withinCities,
      state: query.state,
      limit: query.limit,
      offset: query.offset,
    });
    return { items, total, offset: query.offset, limit: query.limit };
  }

  /** The job with its per-state totals. */
  @Get(':id')
  async get(@Param() { id }: JobPath, @CurrentTenancy() tenancy: Tenancy) {
    return toSummary(await this.visible(id, tenancy));
  }

  /** Each device of the job and where it stands, in rollout order (or only those in one state). */
  @Get(':id/devices')
  async devices(@Param() { id }: JobPath, @Query() query: JobDevicesQuery, @CurrentTenancy() tenancy: Tenancy) {
    const job = await this.visible(id, tenancy);
    const { items, total } = await this.jobs.devices(job, query);
    return { items, total, offset: query.offset, limit: query.limit };
  }

  /**
   * Server-sent events: a `progress` event with the job (state and totals) whenever it changes; ends after a final
   * state.
   */
  @Sse(':id/events')
  events(@Param() { id }: JobPath, @CurrentTenancy() tenancy: Tenancy): Observable<MessageEvent> {
    return from(this.visible(id, tenancy)).pipe(
      switchMap(() => timer(0, this.config.jobs.tickMs)),
      switchMap(() => from(this.jobs.get(id))),
      filter((job): job is StoredJob => job !== undefined),
      distinctUntilChanged((a, b) => a.updatedAt === b.updatedAt && a.state === b.state),
      takeWhile((job) => !isFinalJobState(job.state), true),
      map((job) => ({ type: 'progress', data: toSummary(job) })),
    );
  }

  @Post(':id/pause')
  @HttpCode(200)
  @AdminOnly()
  pause(@Param() { id }: JobPath, @CurrentTenancy() tenancy: Tenancy) {
    return this.control(id, 'pause', tenancy);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @AdminOnly()
  resume(@Param() { id }: JobPath, @CurrentTenancy() tenancy: Tenancy) {
    return this.control(id, 'resume', tenancy);
  }

  /** Stops the rollout: devices not sent to yet are skipped; those that have the job are followed to their outcome. */
  @Post(':id/cancel')
  @HttpCode(200)
  @AdminOnly()
  cancel(@Param() { id }: JobPath, @CurrentTenancy() tenancy: Tenancy) {
    return this.control(id, 'cancel', tenancy);
  }

  private async control(id: string, action: keyof typeof CONTROLS, tenancy: Tenancy) {
    await this.visible(id, tenancy);
    const { to, from: allowed } = CONTROLS[action];
    const moved = await this.jobs.moveJob(
      id,
      to,
      allowed,
      action === 'cancel' ? `cancelled by ${tenancy.tokenName}` : '',
    );
    if (!moved.moved)
      throw new ConflictException(
        `job ${id} is ${moved.state}; ${action} applies to a job that is ${allowed.join(' or ')}`,
      );
    // Ticks go on while paused (outcomes still arrive); resuming re-arms them in case they were lost.
    if (action === 'resume') await this.ticks.start(id);
    await this.audit.record({ actor: tenancy.tokenName, action: `fleet-job.${action}`, target: `fleet-job:${id}` });
    return toSummary((await this.jobs.get(id))!);
  }

  /**
   * Each device's firmware-update params (FirmwareUpdates: its own download token, valid until the
   * job's deadline plus the device timeout), or the problems under `firmware.imageId`.
   */
  private async planFirmware(
    imageId: string,
    devices: readonly DeviceRecord[],
    tenancy: Tenancy,
    deviceTimeoutS: number,
    deadlineMs: number,
  ) {
    const now = Date.now();
    const validForS = Math.ceil((deadlineMs - now) / 1000) + deviceTimeoutS;
    const paramsByDevice = new Map<string, Record<string, ConfigValue>>();
    let version = '';
    for (const device of devices) {
      const plan = await this.firmware.plan(device, { imageId }, tenancy, validForS, now);
      if (!plan.ok)
        return { problems: [{ field: plan.field.replace(/^params\./, 'firmware.'), message: plan.message }] };
      paramsByDevice.set(device.id, plan.params);
      version = plan.image.version;
    }
    return { payload: { kind: 'firmware' as const, imageId, version }, problems: [], paramsByDevice };
  }

  private async visible(id: string, tenancy: Tenancy): Promise<StoredJob> {
    const job = await this.jobs.get(id);
    if (!job || !tenancy.allows(job.city)) throw new NotFoundException(`job ${id} not found`);
    return job;
  }
}
