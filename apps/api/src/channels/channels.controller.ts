import {
  Body,
  ConflictException,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Put,
  Query,
  Req,
} from '@nestjs/common';
import type { Request } from 'express';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { ChannelRepository, maskedChannel } from '@citypulse/alert-config';
import { AuditLog } from '@citypulse/alert-store';
import { PageQuery, pageOf } from '../common/paging.js';
import { ChannelDto, ChannelPath, CityPath } from './channel.dto.js';
import { adminOfCity, readerOfCity } from './city-access.js';
import { channelRecord, type ChannelRecordOptions } from './channel-record.js';

/**
 * A city's notification channels (e-mail over SMTP, Slack, Microsoft Teams, Mattermost, signed
 * webhook, MQTT), managed by the city's admins and used by its escalation policies. Secrets are
 * sealed at rest with CP_SECRETS_KEY and never returned: reads show them masked.
 */
@Controller('cities/:city/channels')
export class ChannelsController {
  private readonly options: ChannelRecordOptions;

  constructor(
    private readonly channels: ChannelRepository,
    private readonly audit: AuditLog,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.options = {
      secretsKey: config.notifications.secretsKey,
      allowPrivateTargets: config.notifications.allowPrivateTargets,
    };
  }

  @Get()
  async list(@Param() { city }: CityPath, @Query() page: PageQuery, @Req() req: Request) {
    readerOfCity(req, city, `city ${city} not found`);
    const items = (await this.channels.channels(city)).sort((a, b) => a.id.localeCompare(b.id)).map(maskedChannel);
    return pageOf(items, page);
  }

  @Get(':id')
  async get(@Param() { city, id }: ChannelPath, @Req() req: Request) {
    readerOfCity(req, city, `channel ${id} not found`);
    const channel = await this.channels.channel(city, id);
    if (!channel) throw new NotFoundException(`channel ${id} not found`);
    return maskedChannel(channel);
  }

  /** Creates a channel; a webhook channel's generated signing secret is in this response only. */
  @Post()
  async create(@Param() { city }: CityPath, @Body() body: ChannelDto, @Req() req: Request) {
    const tenancy = adminOfCity(req, city, `city ${city} not found`);
    const { channel, generatedSecret } = await channelRecord(city, body, null, this.options);
    if (!(await this.channels.createChannel(channel))) {
      throw new ConflictException({
        statusCode: 409,
        error: 'Conflict',
        message: `channel ${body.id} exists`,
        fields: [{ field: 'id', problems: [`channel ${body.id} exists in ${city}`] }],
      });
    }
    await this.audit.record({
      actor: tenancy.tokenName,
      action: 'channel.create',
      target: `channel:${city}/${channel.id}`,
      detail: channel.kind,
    });
    return { ...maskedChannel(channel), ...(generatedSecret && { signingSecret: generatedSecret }) };
  }

  /** Replaces a channel's settings; secrets left out keep their stored values. */
  @Put(':id')
  async update(@Param() { city, id }: ChannelPath, @Body() body: ChannelDto, @Req() req: Request) {
    const tenancy = adminOfCity(req, city, `channel ${id} not found`);
    const previous = await this.channels.channel(city, id);
    if (!previous) throw new NotFoundException(`channel ${id} not found`);
    const { channel, generatedSecret } = await channelRecord(city, { ...body, id }, previous, this.options);
    await this.channels.putChannel(channel);
    await this.audit.record({
      actor: tenancy.tokenName,
      action: 'channel.update',
      target: `channel:${city}/${id}`,
      detail: channel.kind,
    });
    return { ...maskedChannel(channel), ...(generatedSecret && { signingSecret: generatedSecret }) };
  }

  /** Removes a channel no escalation policy uses (409 names the policies that do). */
  @Delete(':id')
  @HttpCode(204)
  async remove(@Param() { city, id }: ChannelPath, @Req() req: Request) {
    const tenancy = adminOfCity(req, city, `channel ${id} not found`);
    if (!(await this.channels.channel(city, id))) throw new NotFoundException(`channel ${id} not found`);
    const users = (await this.channels.policies(city)).filter(
      (p) => p.onCall?.channel === id || p.levels.some((l) => l.channels.includes(id)),
    );
    if (users.length > 0)
      throw new ConflictException(
        `channel ${id} is used by the escalation policies for ${users.map((p) => p.severity).join(', ')}`,
      );
    await this.channels.removeChannel(city, id);
    await this.audit.record({ actor: tenancy.tokenName, action: 'channel.delete', target: `channel:${city}/${id}` });
  }
}
