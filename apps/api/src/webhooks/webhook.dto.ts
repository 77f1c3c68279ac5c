import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, IsUrl, Length, Matches } from 'class-validator';

const EVENTS = ['raised', 'escalated', 'acknowledged', 'assigned', 'snoozed', 'renotified', 'resolved'];
const WEBHOOK_ID = {
  pattern: /^[a-z0-9][a-z0-9._-]{0,63}$/,
  message: 'id must be a lower-case slug of up to 64 characters',
};

/** A webhook: where alert messages go, and which ones (severities, rules, cities, event kinds; absent = all). */
export class WebhookDto {
  @Matches(WEBHOOK_ID.pattern, { message: WEBHOOK_ID.message })
  id!: string;

  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true })
  url!: string;

  /** HMAC key; generated (and returned once) when absent. */
  @IsOptional()
  @IsString()
  @Length(16, 256)
  secret?: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(3)
  @IsIn(['info', 'warning', 'critical'], { each: true })
  severities?: string[];

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  ruleIds?: string[];

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  cities?: string[];

  @IsOptional()
  @IsArray()
  @IsIn(EVENTS, { each: true })
  events?: string[];

  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

/** `/webhooks/:id`: an id no webhook can have is a 400 naming `id`, before any lookup. */
export class WebhookPath {
  @Matches(WEBHOOK_ID.pattern, { message: WEBHOOK_ID.message })
  id!: string;
}
