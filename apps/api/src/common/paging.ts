/**
 * The largest `offset` a list accepts. Without a bound, `offset=100000000000000000000` passes
 * @IsInt (Number() makes it an integer) and reaches Redis, which refuses it: a 500 for a bad query.
 */
export const MAX_PAGE_OFFSET = 1_000_000_000;
