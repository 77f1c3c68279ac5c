import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { Transform, Type } from 'class-transformer';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { ALERT_STATES, type AlertSeverity, type AlertState } from '@citypulse/alert-store';
import { toEpochMs } from '../alerting/time-param.js';
import { PageOffset } from '../common/paging.js';

const TIME = { message: '$property must be an ISO 8601 time or epoch milliseconds' };
/** Parsed to epoch ms before validation, so the document is told what is sent, not what is checked. */
const TIME_PARAM = {
  type: String,
  example: '2026-05-01T12:00:00Z',
  description: 'ISO 8601 time or epoch milliseconds',
};

/** Which alerts: shared by the alert list, the counts and the transition history. */
export class AlertScopeQuery {
  @IsOptional()
  @IsString()
  @Length(1, 100)
  city?: string;

  @IsOptional()
  @IsString()
  @Length(1, 100)
  deviceId?: string;

  @IsOptional()
  @IsString()
  @Length(1, 200)
  ruleId?: string;

  @ApiPropertyOptional(TIME_PARAM)
  @IsOptional()
  @Transform(({ value }) => toEpochMs(value))
  @IsInt(TIME)
  from?: number;

  @ApiPropertyOptional(TIME_PARAM)
  @IsOptional()
  @Transform(({ value }) => toEpochMs(value))
  @IsInt(TIME)
  to?: number;
}

/** Filters and paging shared by the alert list and the transition history. */
export class AlertFilterQuery extends AlertScopeQuery {
  @IsOptional()
  @IsIn(['info', 'warning', 'critical'])
  severity?: AlertSeverity;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit = 100;

  @PageOffset()
  offset = 0;
}

export class ListAlertsQuery extends AlertFilterQuery {
  /** One state, or 'active': open or acknowledged. */
  @IsOptional()
  @IsIn([...ALERT_STATES, 'active'])
  state?: AlertState | 'active';

  /** Exact site id. */
  @IsOptional()
  @IsString()
  @Length(1, 100)
  site?: string;

  /** 'time' (default): newest first; 'severity': critical first, then warning, then info, newest first within each. */
  @IsOptional()
  @IsIn(['time', 'severity'])
  order?: 'time' | 'severity';

  /** true: only alerts raised under a maintenance window (suppressed); false: none of them. */
  @ApiPropertyOptional({ type: String, enum: ['true', 'false'] })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'suppressed must be true or false' })
  suppressed?: boolean;
}

/** The filters of GET /alerts/counts: every severity is counted, so it is no filter. */
export class CountAlertsQuery extends AlertScopeQuery {
  /** Exact site id. */
  @IsOptional()
  @IsString()
  @Length(1, 100)
  site?: string;

  /** Count only this state, or 'active' (open and acknowledged: cheap, whatever the history); the others count 0. */
  @IsOptional()
  @IsIn([...ALERT_STATES, 'active'])
  state?: AlertState | 'active';
}

export class TransitionsQuery extends AlertFilterQuery {
  @IsOptional()
  @IsIn(['raised', 'suppressed', 'escalated', 'acknowledged', 'assigned', 'snoozed', 'renotified', 'resolved'])
  event?: string;
}

export class StreamQuery {
  @IsOptional()
  @IsString()
  @Length(1, 100)
  city?: string;

  @IsOptional()
  @IsIn(['info', 'warning', 'critical'])
  severity?: AlertSeverity;
}
