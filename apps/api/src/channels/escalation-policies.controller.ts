import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Put, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ChannelRepository, type EscalationPolicy } from '@citypulse/alert-config';
import { AuditLog } from '@citypulse/alert-store';
import { badRequest } from '../common/bad-request.js';
import { CityPath, EscalationPolicyDto, PolicyPath } from './channel.dto.js';
import { adminOfCity, readerOfCity } from './city-access.js';

/**
 * Repeating faster than this would page people in a loop; tests use fractions of a second for the level delays only.
 */
const MIN_REPEAT_SECONDS = 0.1;

/**
 * A city's escalation policy per severity: which channels hear of a new alert, who next when
 * nobody acknowledges it in time, how often to repeat, and who is on call this week.
 */
@Controller('cities/:city/escalation-policies')
export class EscalationPoliciesController {
  constructor(
    private readonly channels: ChannelRepository,
    private readonly audit: AuditLog,
  ) {}

  @Get()
  async list(@Param() { city }: CityPath, @Req() req: Request) {
    readerOfCity(req, city, `city ${city} not found`);
    return { items: await this.channels.policies(city) };
  }

  @Get(':severity')
  async get(@Param() { city, severity }: PolicyPath, @Req() req: Request) {
    readerOfCity(req, city, `no ${severity} escalation policy in ${city}`);
    const policy = await this.channels.policy(city, severity);
    if (!policy) throw new NotFoundException(`no ${severity} escalation policy in ${city}`);
    return policy;
  }

  /** Sets the policy (whole); alerts already escalating follow it from their next step. */
  @Put(':severity')
  async put(@Param() { city, severity }: PolicyPath, @Body() body: EscalationPolicyDto, @Req() req: Request) {
    const tenancy = adminOfCity(req, city, `city ${city} not found`);
    await this.checkChannels(city, body);
    const policy: EscalationPolicy = {
      city,
      severity,
      levels: body.levels.map((l) => ({
        afterSeconds: l.afterSeconds,
        channels: l.channels,
        ...(l.onCall && { onCall: true }),
      })),
      repeatSeconds: body.repeatSeconds ?? 0,
      maxRepeats: body.maxRepeats ?? 10,
      ...(body.onCall && {
        onCall: {
          channel: body.onCall.channel,
          people: body.onCall.people.map((p) => ({ name: p.name, email: p.email })),
          startDate: body.onCall.startDate,
          timeZone: body.onCall.timeZone,
        },
      }),
      updatedAt: new Date().toISOString(),
      updatedBy: tenancy.tokenName,
    };
    await this.channels.putPolicy(policy);
    await this.audit.record({
      actor: tenancy.tokenName,
      action: 'escalation-policy.put',
      target: `escalation-policy:${city}/${severity}`,
      detail: `${policy.levels.length} levels`,
    });
    return policy;
  }

  @Delete(':severity')
  @HttpCode(204)
  async remove(@Param() { city, severity }: PolicyPath, @Req() req: Request) {
    const tenancy = adminOfCity(req, city, `no ${severity} escalation policy in ${city}`);
    if (!(await this.channels.removePolicy(city, severity)))
      throw new NotFoundException(`no ${severity} escalation policy in ${city}`);
    await this.audit.record({
      actor: tenancy.tokenName,
      action: 'escalation-policy.delete',
      target: `escalation-policy:${city}/${severity}`,
    });
  }

  /**
   * Every channel named must be one of the city's; the rotation's must be an e-mail channel, and a level asking for on
   * call needs a rotation.
   */
  private async checkChannels(city: string, body: EscalationPolicyDto): Promise<void> {
    const kinds = new Map((await this.channels.channels(city)).map((c) => [c.id, c.kind]));
    const problems: Array<{ field: string; message: string }> = [];
    body.levels.forEach((level, i) => {
      for (const id of level.channels)
        if (!kinds.has(id)) problems.push({ field: `levels.${i}.channels`, message: `${city} has no channel ${id}` });
      if (level.onCall && !body.onCall)
        problems.push({
          field: `levels.${i}.onCall`,
          message: 'a level that notifies the person on call needs the policy’s onCall rotation',
        });
    });
    if (body.onCall && kinds.get(body.onCall.channel) !== 'email')
      problems.push({ field: 'onCall.channel', message: `${body.onCall.channel} is not an e-mail channel of ${city}` });
    if (body.repeatSeconds !== undefined && body.repeatSeconds > 0 && body.repeatSeconds < MIN_REPEAT_SECONDS)
      problems.push({ field: 'repeatSeconds', message: `repeatSeconds must be 0 or at least ${MIN_REPEAT_SECONDS}` });
    if (problems.length > 0) throw badRequest(problems);
  }
}
