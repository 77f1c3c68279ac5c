import { applyDecorators } from '@nestjs/common';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { Type } from 'class-transformer';

/**
 * The largest `offset` a list accepts. Without a bound, `offset=100000000000000000000` passes
 * @IsInt (Number() makes it an integer) and reaches Redis, which refuses it: a 500 for a bad query.
 */
export const MAX_PAGE_OFFSET = 1_000_000_000;

/** `?offset=` of a list: where the page starts. Lists whose `limit` has bounds of its own take it alone. */
export const PageOffset = () =>
  applyDecorators(
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(0),
    Max(MAX_PAGE_OFFSET),
  );

/** `?limit=&offset=` of a list. */
export class PageQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit = 100;

  @PageOffset()
  offset = 0;
}

/**
 * One page of a list read whole (rules, webhooks, tokens: each a few hundred entries at most), in the API's list shape.
 */
export function pageOf<T>(all: T[], page: PageQuery): { items: T[]; total: number; offset: number; limit: number } {
  return {
    items: all.slice(page.offset, page.offset + page.limit),
    total: all.length,
    offset: page.offset,
    limit: page.limit,
  };
}
