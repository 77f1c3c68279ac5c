import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, IsUrl, Length, Matches } from 'class-validator';

const EVENTS = ['raised', 'escalated', 'acknowledged', 'assigned', 'snoozed', 'renotified', 'resolved'];

/** A webhook: where alert messages go, and which ones (severities, rules, cities, event kinds; absent = all). */
export class WebhookDto {
  @Matches(/^[a-z0-9][a-z0-9._-]{0,63}$/)
  id!: string;

  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true })
  url!: string;

  /** HMAC key; generated (and returned once) when absent. */
  @IsOptional() @IsString() @Length(16, 256)
  secret?: string;

  @IsOptional() @IsArray() @ArrayMaxSize(3) @IsIn(['info', 'warning', 'critical'], { each: true })
  severities?: string[];

  @IsOptional() @IsArray() @ArrayMaxSize(1000) @IsString({ each: true })
  ruleIds?: string[];

  @IsOptional() @IsArray() @ArrayMaxSize(1000) @IsString({ each: true })
  cities?: string[];

  @IsOptional() @IsArray() @IsIn(EVENTS, { each: true })
  events?: string[];

  @IsOptional() @IsBoolean()
  enabled?: boolean;
}
