import { Body, ConflictException, Controller, Delete, Get, HttpCode, Inject, NotFoundException, Param, Post, Put, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import type { RedisClient } from '@citypulse/redis';
import { IsOptional, IsString } from 'class-validator';
import { ApiBody } from '@nestjs/swagger';
import { REDIS } from '@citypulse/core';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { validateRule, type RuleDefinition } from '@citypulse/rules';
import { RuleRepository, catalogueRules, effectiveRules, ruleCatalogue } from '@citypulse/alert-config';
import { AuditLog } from '@citypulse/alert-store';
import { callerOf } from '../alerting/caller.js';
import { requireAdmin } from '../alerting/require-admin.js';
import { badRequest } from '../alerting/field-errors.js';
import { RULE_BODY_SCHEMA } from './rule.schema.js';
import { PageQuery, pageOf } from '../common/paging.js';

export class ListRulesQuery extends PageQuery {
  @IsOptional() @IsString()
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
  private readonly rules: RuleRepository;
  private readonly audit: AuditLog;

  constructor(@Inject(REDIS) redis: RedisClient, @Inject(APP_CONFIG) config: AppConfig) {
    this.rules = new RuleRepository(redis, config.redis.prefix);
    this.audit = new AuditLog(redis, config.redis.prefix);
  }

  /** A page of the rules in force (`source`: catalogue or operator); `total` counts every match. */
  @Get()
  async list(@Query() q: ListRulesQuery) {
    return pageOf(effectiveRules(await this.rules.list()).filter((r) => q.deviceType === undefined || r.deviceType === q.deviceType), q);
  }

  @Get(':id')
  async get(@Param('id') id: string) {
    const rule = effectiveRules(await this.rules.list()).find((r) => r.id === id);
    if (!rule) throw new NotFoundException(`rule ${id} not found`);
    return rule;
  }

  @Post()
  @ApiBody({ schema: RULE_BODY_SCHEMA })
  async create(@Body() body: unknown, @Req() req: Request) {
    const caller = callerOf(req);
    requireAdmin(caller);
    const rule = this.validate(body);
    if (catalogueRules().has(rule.id)) throw conflict(rule.id, 'is a catalogue rule: PUT /rules/{id} to override it');
    if (!(await this.rules.create(rule))) throw conflict(rule.id, 'exists already: PUT /rules/{id} to replace it');
    await this.audit.record({ actor: caller.name, action: 'rule.create', target: `rule:${rule.id}`, detail: JSON.stringify(rule) });
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
    await this.audit.record({ actor: caller.name, action: 'rule.put', target: `rule:${id}`, detail: JSON.stringify(rule) });
    return { ...rule, source: 'operator' };
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id') id: string, @Req() req: Request) {
    const caller = callerOf(req);
    requireAdmin(caller);
    if (!(await this.rules.remove(id))) {
      if (catalogueRules().has(id)) throw conflict(id, 'is a catalogue rule: disable it with PUT (enabled: false) instead');
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
  return new ConflictException({ statusCode: 409, error: 'Conflict', message: `rule ${id} ${why}`, fields: [{ field: 'id', problems: [`rule ${id} ${why}`] }] });
}
