import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';

export const IS_PUBLIC = 'citypulse:public';
/**
 * Marks a route that needs no token (health probes, the console's page). Everything else requires
 * one. The OpenAPI document says so too: an empty security requirement overrides its bearer default.
 */
export const Public = () => applyDecorators(SetMetadata(IS_PUBLIC, true), ApiSecurity({}));

/**
 * Marks a route that checks its bearer token itself, because it accepts more than API tokens
 * (firmware downloads take a command's download token too). TokenGuard lets it through; the
 * OpenAPI document still says it needs a bearer token, since it does.
 */
export const ChecksOwnToken = () => SetMetadata(IS_PUBLIC, true);
