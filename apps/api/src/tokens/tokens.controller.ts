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
  Query,
} from '@nestjs/common';
import { ApiTokenStore, TokenExistsError } from '@citypulse/registry';
import { AuditLog } from '@citypulse/alert-store';
import { ClusterAdminOnly, CurrentTenancy } from '../auth/tenancy.decorator.js';
import type { Tenancy } from '../auth/tenancy.js';
import { CreateTokenDto } from './create-token.dto.js';
import { TokenPath } from './token-path.js';
import { PageQuery, pageOf } from '../common/paging.js';

/**
 * API tokens: admin (reads and writes) or operator (reads, live streams and the operator MQTT login
 * `operator:<name>`), for every city or a few. Only an admin of every city manages them; the token
 * itself is in the create response only — citypulse keeps its SHA-256 digest.
 */
@Controller('tokens')
@ClusterAdminOnly()
export class TokensController {
  constructor(
    private readonly tokens: ApiTokenStore,
    private readonly audit: AuditLog,
  ) {}

  @Post()
  async create(@Body() body: CreateTokenDto, @CurrentTenancy() tenancy: Tenancy) {
    try {
      const { token, record } = await this.tokens.create(body);
      await this.audit.record({
        actor: tenancy.tokenName,
        action: 'token.create',
        target: `token:${record.name}`,
        detail: `${record.role}${record.cities ? ` of ${record.cities.join(', ')}` : ' of every city'}`,
      });
      return { ...record, token };
    } catch (err) {
      if (err instanceof TokenExistsError)
        throw new ConflictException({
          statusCode: 409,
          error: 'Conflict',
          message: err.message,
          fields: [{ field: 'name', problems: [err.message] }],
        });
      throw err;
    }
  }

  @Get()
  async list(@Query() page: PageQuery) {
    return pageOf(await this.tokens.list(), page);
  }

  /** Revokes the token at once: HTTP requests with it get 401, and its MQTT logins are closed on every broker. */
  @Delete(':name')
  @HttpCode(204)
  async revoke(@Param() { name }: TokenPath, @CurrentTenancy() tenancy: Tenancy) {
    if (!(await this.tokens.revoke(name))) throw new NotFoundException(`token ${name} not found`);
    await this.audit.record({ actor: tenancy.tokenName, action: 'token.delete', target: `token:${name}` });
  }
}
