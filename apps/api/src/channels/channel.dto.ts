import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  Max,
  Min,
  Validate,
  ValidateIf,
  ValidateNested,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { CITY_PATTERN } from '@citypulse/registry';
import { CHANNEL_KINDS, SECRET_REF_PATTERN, SEVERITY_NAMES, isKnownTimeZone } from '@citypulse/alert-config';

const SLUG = { pattern: /^[a-z0-9][a-z0-9._-]{0,63}$/, message: 'must be a lower-case slug of up to 64 characters' };
const CITY = { pattern: CITY_PATTERN, message: 'city must be a lower-case slug such as "beijing"' };
const HOST = /^[A-Za-z0-9.-]{1,253}$|^\[?[0-9a-fA-F:.]+\]?$/;
const isRef = (value: unknown) => typeof value === 'string' && SECRET_REF_PATTERN.test(value);

/** E-mail over SMTP: the server, its login (password sealed at rest), sender and recipients. */
export class SmtpSettingsDto {
  @Matches(HOST, { message: 'host must be a host name or IP address' })
  host!: string;

  @IsInt()
  @Min(1)
  @Max(65535)
  port!: number;

  /** TLS from the start (port 465); else STARTTLS when the server offers it. */
  @IsOptional()
  @IsBoolean()
  secure?: boolean;

  @IsOptional()
  @IsString()
  @Length(1, 256)
  user?: string;

  /**
   * Stored sealed (AES-256-GCM), or a reference `env:CP_CHANNEL_SECRET_…`; never returned. Omitted on PUT: the stored
   * one stays.
   */
  @IsOptional()
  @IsString()
  @Length(1, 1024)
  password?: string;

  @IsEmail({ allow_display_name: true })
  from!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsEmail({}, { each: true })
  to!: string[];
}

/**
 * A city's notification channel. `url` (Slack, Teams, Mattermost, webhook) is a secret: sealed at rest, masked when
 * read.
 */
export class ChannelDto {
  @Matches(SLUG.pattern, { message: `id ${SLUG.message}` })
  id!: string;

  @IsIn([...CHANNEL_KINDS])
  kind!: (typeof CHANNEL_KINDS)[number];

  @IsOptional()
  @IsString()
  @Length(1, 100)
  name?: string;

  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  /** kind email. */
  @IsOptional()
  @ValidateNested()
  @Type(() => SmtpSettingsDto)
  email?: SmtpSettingsDto;

  /**
   * kind slack, teams, mattermost, webhook: the incoming-webhook URL, or a reference `env:CP_CHANNEL_SECRET_…`. Omitted
   * on PUT: the stored one stays.
   */
  @IsOptional()
  @ValidateIf((o: ChannelDto) => !isRef(o.url))
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true })
  url?: string;

  /** kind webhook: the HMAC key; generated (and returned once) when absent. */
  @IsOptional()
  @IsString()
  @Length(16, 256)
  signingSecret?: string;
}

/** `/cities/:city/channels/:id`. */
export class ChannelPath {
  @Matches(CITY.pattern, { message: CITY.message })
  city!: string;

  @Matches(SLUG.pattern, { message: `id ${SLUG.message}` })
  id!: string;
}

/** `/cities/:city/…`. */
export class CityPath {
  @Matches(CITY.pattern, { message: CITY.message })
  city!: string;
}

/** `/cities/:city/escalation-policies/:severity`. */
export class PolicyPath extends CityPath {
  @IsIn([...SEVERITY_NAMES])
  severity!: (typeof SEVERITY_NAMES)[number];
}

export class EscalationLevelDto {
  /** After the previous level was notified (level 1: after the alert opened). Fractions allowed (tests use 0.3). */
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(7 * 86_400)
  afterSeconds!: number;

  @IsArray()
  @ArrayMaxSize(20)
  @Matches(SLUG.pattern, { each: true, message: `each channel ${SLUG.message}` })
  channels!: string[];

  /** Also e-mail whoever is on call (the policy's `onCall`). */
  @IsOptional()
  @IsBoolean()
  onCall?: boolean;
}

export class OnCallPersonDto {
  @IsString()
  @Length(1, 100)
  name!: string;

  @IsEmail()
  email!: string;
}

@ValidatorConstraint({ name: 'timeZone' })
class KnownTimeZone implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && isKnownTimeZone(value);
  }
  defaultMessage(): string {
    return 'timeZone must be an IANA time zone such as Asia/Shanghai';
  }
}

export class OnCallRotationDto {
  /** An e-mail channel of the city: its SMTP server and sender reach the person on call. */
  @Matches(SLUG.pattern, { message: `channel ${SLUG.message}` })
  channel!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => OnCallPersonDto)
  people!: OnCallPersonDto[];

  @Matches(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, { message: 'startDate must be a date YYYY-MM-DD' })
  startDate!: string;

  @Validate(KnownTimeZone)
  timeZone!: string;
}

export class EscalationPolicyDto {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => EscalationLevelDto)
  levels!: EscalationLevelDto[];

  /** After the last level, notify it again this often until acknowledged; 0 (default) = never. */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(7 * 86_400)
  repeatSeconds?: number;

  /** At most this many repeats (default 10). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1000)
  maxRepeats?: number;

  @IsOptional()
  @ValidateNested()
  @Type(() => OnCallRotationDto)
  onCall?: OnCallRotationDto;
}
