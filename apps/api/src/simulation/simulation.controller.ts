import {
  Body,
  Controller,
  ForbiddenException,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
} from '@nestjs/common';
import type { RedisClient } from '@citypulse/redis';
import { REDIS } from '@citypulse/core';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { DeviceCertificateStore } from '@citypulse/certificates';
import { DeviceRegistry } from '@citypulse/registry';
import { AlertStore, AuditLog, LastSeenIndex, ReplaySessions, type ReplaySession } from '@citypulse/alert-store';
import { AdminOnly, CurrentTenancy } from '../auth/tenancy.decorator.js';
import type { Tenancy } from '../auth/tenancy.js';
import { ApiQueues } from '../alerting/api-queues.js';
import { CleanupDto, EndReplaySessionDto, OpenReplaySessionDto, ReplaySessionPath } from './simulation.dto.js';
import { removeDevicesWithState, type CleanupDeps } from './simulated-devices-cleanup.js';

/**
 * What the simulators need of the service beyond devices: replay sessions (devices whose silence
 * is judged on their replayed clock, libs/alert-store replay-sessions.ts) and removing a run's
 * devices with everything they left behind. Admin only, within the token's cities: a city-scoped
 * admin's session covers only its cities' devices, and its cleanup removes only those; another
 * city's session is a 404. Every change is audited.
 */
@Controller('simulation')
export class SimulationController {
  private readonly cleanupDeps: CleanupDeps;

  constructor(
    @Inject(REDIS) redis: RedisClient,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly sessions: ReplaySessions,
    private readonly audit: AuditLog,
    registry: DeviceRegistry,
    certificates: DeviceCertificateStore,
    alerts: AlertStore,
    lastSeen: LastSeenIndex,
    private readonly queues: ApiQueues,
  ) {
    this.cleanupDeps = { redis, prefix: config.redis.prefix, registry, certificates, alerts, lastSeen };
  }

  /** The replay sessions of the token's cities. */
  @Get('replay-sessions')
  async list(@CurrentTenancy() tenancy: Tenancy) {
    const items = (await this.sessions.all())
      .filter((s) => visible(s, tenancy))
      .sort((a, b) => (a.prefix + a.city < b.prefix + b.city ? -1 : 1));
    return { items };
  }

  /**
   * Starts (or restarts) a replay session: until it ends, its devices' silence is judged on their own readings' clock.
   */
  @Post('replay-sessions')
  @AdminOnly()
  async open(@Body() body: OpenReplaySessionDto, @CurrentTenancy() tenancy: Tenancy) {
    const cities = citiesOf(body.cities, tenancy);
    const items = await this.sessions.open(body.prefix, cities, tenancy.tokenName);
    await this.audit.record({
      actor: tenancy.tokenName,
      action: 'replay-session.open',
      target: `replay-session:${body.prefix}`,
      detail: describeCities(cities),
    });
    return { items };
  }

  /**
   * Ends the session at `endMs` (the replayed traffic's time): devices quiet for a deadman window before it raise, then
   * silence raises nothing more.
   */
  @Post('replay-sessions/:prefix/end')
  @HttpCode(200)
  @AdminOnly()
  async end(
    @Param() { prefix }: ReplaySessionPath,
    @Body() body: EndReplaySessionDto,
    @CurrentTenancy() tenancy: Tenancy,
  ) {
    const sessions = await this.sessions.of(prefix, citiesOf(undefined, tenancy));
    if (sessions.length === 0) throw new NotFoundException(`replay session ${prefix} not found`);
    const items = await this.sessions.end(sessions, body.endMs);
    const cities = describeCities(sessions.map((s) => s.city).filter((c): c is string => c !== null));
    await this.audit.record({
      actor: tenancy.tokenName,
      action: 'replay-session.end',
      target: `replay-session:${prefix}`,
      detail: `at ${new Date(body.endMs).toISOString()}; ${cities}`,
    });
    return { items };
  }

  /**
   * Removes the devices `<prefix>-…` of these cities (default: the token's) with their credentials,
   * presence, certificates, shadow and commands, rule state and last-seen entry; their open alerts
   * are resolved (by this token, noted "device removed"), and the prefix's replay sessions there end.
   */
  @Post('cleanup')
  @HttpCode(200)
  @AdminOnly()
  async cleanup(@Body() body: CleanupDto, @CurrentTenancy() tenancy: Tenancy) {
    const cities = citiesOf(body.cities, tenancy);
    const ids = await this.cleanupDeps.registry.idsStartingWith(`${body.prefix}-`, cities ?? undefined);
    const actor = tenancy.tokenName;
    const removed = await removeDevicesWithState(
      ids,
      actor,
      `device removed by cleanup of ${body.prefix}-*`,
      this.cleanupDeps,
    );
    for (const event of removed.events) await this.queues.announce(event);
    const sessions = await this.sessions.of(body.prefix, cities);
    await this.sessions.remove(sessions);
    const summary = {
      prefix: body.prefix,
      cities,
      devices: removed.devices,
      alertsResolved: removed.alertsResolved,
      replaySessions: sessions.length,
    };
    await this.audit.record({
      actor,
      action: 'simulation.cleanup',
      target: `device:${body.prefix}-*`,
      detail:
        `${removed.devices} devices removed, ${removed.alertsResolved} open alerts resolved, ${sessions.length} ` +
        `replay sessions removed; ${describeCities(cities)}`,
    });
    return summary;
  }
}

/**
 * The cities asked for, each one the token may manage (else 403 naming the field); none asked: the token's (null =
 * every city).
 */
function citiesOf(asked: readonly string[] | undefined, tenancy: Tenancy): string[] | null {
  if (asked === undefined) return tenancy.withinCities ? [...tenancy.withinCities] : null;
  const refused = asked.filter((c) => !tenancy.allows(c));
  if (refused.length > 0) {
    const message = `this token may not manage devices in ${refused.join(', ')}`;
    throw new ForbiddenException({
      statusCode: 403,
      error: 'Forbidden',
      message,
      fields: [{ field: 'cities', problems: [message] }],
    });
  }
  return [...new Set(asked)].sort();
}

function visible(session: ReplaySession, tenancy: Tenancy): boolean {
  return session.city === null ? tenancy.isClusterWide : tenancy.allows(session.city);
}

function describeCities(cities: readonly string[] | null): string {
  return cities === null || cities.length === 0 ? 'every city' : `cities ${cities.join(', ')}`;
}
