import {
  Body,
  ConflictException,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Put,
  Query,
  Req,
} from '@nestjs/common';
import type { Request } from 'express';
import { IsOptional, IsString } from 'class-validator';
import { ApiBody } from '@nestjs/swagger';
import { validateRule, type RuleDefinition } from '@citypulse/rules';
import { RuleRepository, catalogueRules, effectiveRules, ruleCatalogue } from '@citypulse/alert-config';
import { AuditLog } from '@citypulse/alert-store';
import { DeviceRegistry } from '@citypulse/registry';
import { callerOf } from '../alerting/caller.js';
import { requireAdmin } from '../alerting/require-admin.js';
import { badRequest } from '../common/bad-request.js';
import { RULE_BODY_SCHEMA } from './rule.schema.js';
import { PageQuery, pageOf } from '../common/paging.js';
import { visibleRules, type ScopeFacts } from './rule-visibility.js';

export class ListRulesQuery extends PageQuery {
  @IsOptional()
  @IsString()
  deviceType?: string;
}

/**
 * Alert rules: the catalogue's defaults and operators' rules, narrowed by scope (city, site or
 * device; the most specific wins per rule key). A rule with a catalogue rule's id replaces it
 * (e.g. to disable it or change its threshold); deleting that override brings the default back.
 * Bodies are checked by `validateRule`: a bad rule is a 400 naming each field at fault. Workers
 * pick a change up at their next job.
 */
@Controller('rules')
export class RulesController {
  private readonly scopeFacts: ScopeFacts;

  constructor(
    private readonly rules: RuleRepository,
    private readonly audit: AuditLog,
    registry: DeviceRegistry,
  ) {
    this.scopeFacts = {
      cityOfDevice: async (id) => (await registry.get(id))?.city,
      siteUsedIn: async (site, cities) =>
        (await registry.list({ site, withinCities: cities, offset: 0, limit: 1 })).total > 0,
    };
  }

  /**
   * A page of the rules in force (`source`: catalogue or operator); `total` counts every match. A
   * city-scoped token sees only the rules that can apply to its cities (rule-visibility.ts).
   */
  @Get()
  async list(@Query() q: ListRulesQuery, @Req() req: Request) {
    return pageOf(await this.visible(req, (r) => q.deviceType === undefined || r.deviceType === q.deviceType), q);
  }

  /** One rule; another city's is 404, as if it did not exist. */
  @Get(':id')
  async get(@Param('id') id: string, @Req() req: Request) {
    const [rule] = await this.visible(req, (r) => r.id === id);
    if (!rule) throw new NotFoundException(`rule ${id} not found`);
    return rule;
  }

  private async visible(req: Request, match: (rule: RuleDefinition) => boolean) {
    return visibleRules(effectiveRules(await this.rules.list()).filter(match), callerOf(req).cities, this.scopeFacts);
  }

  @Post()
  @ApiBody({ schema: RULE_BODY_SCHEMA })
  async create(@Body() body: unknown, @Req() req: Request) {
    const caller = callerOf(req);
    requireAdmin(caller);
    const rule = this.validate(body);
    if (catalogueRules().has(rule.id)) throw conflict(rule.id, 'is a catalogue rule: PUT /rules/{id} to override it');
    if (!(await this.rules.create(rule))) throw conflict(rule.id, 'exists already: PUT /rules/{id} to replace it');
    await this.audit.record({
      actor: caller.name,
      action: 'rule.create',
      target: `rule:${rule.id}`,
      detail: JSON.stringify(rule),
    });
    return { ...rule, source: 'operator' };
  }

  /** Creates or replaces a rule (or overrides a catalogue rule of this id). */
  @Put(':id')
  @ApiBody({ schema: RULE_BODY_SCHEMA })
  async put(@Param('id') id: string, @Body() body: unknown, @Req() req: Request) {
    const caller = callerOf(req);
    requireAdmin(caller);
    const withId = typeof body === 'object' && body !== null && !Array.isArray(body) ? { id, ...body } : body;
    const rule = this.validate(withId);
    if (rule.id !== id) throw badRequest([{ field: 'id', message: `must match the id in the path (${id})` }]);
    await this.rules.put(rule);
    await this.audit.record({
      actor: caller.name,
      action: 'rule.put',
      target: `rule:${id}`,
      detail: JSON.stringify(rule),
    });
    return { ...rule, source: 'operator' };
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id') id: string, @Req() req: Request) {
    const caller = callerOf(req);
    requireAdmin(caller);
    if (!(await this.rules.remove(id))) {
      if (catalogueRules().has(id))
        throw conflict(id, 'is a catalogue rule: disable it with PUT (enabled: false) instead');
      throw new NotFoundException(`rule ${id} not found`);
    }
    await this.audit.record({ actor: caller.name, action: 'rule.delete', target: `rule:${id}` });
  }

  private validate(body: unknown): RuleDefinition {
    const result = validateRule(body, ruleCatalogue);
    if (!result.ok) throw badRequest(result.errors);
    return result.rule;
  }
}

function conflict(id: string, why: string): ConflictException {
  return new ConflictException({
    statusCode: 409,
    error: 'Conflict',
    message: `rule ${id} ${why}`,
    fields: [{ field: 'id', problems: [`rule ${id} ${why}`] }],
  });
}
