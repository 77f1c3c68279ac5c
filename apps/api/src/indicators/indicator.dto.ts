import { Matches } from 'class-validator';
import { TimeRangeQuery } from '../telemetry/telemetry-queries.dto.js';

export class IndicatorPath {
  @Matches(/^[a-z][a-z0-9-]{0,62}$/, { message: 'id must be an indicator id such as regional-electricity-demand' })
  id!: string;
}

/** GET /indicators/:id/values: from (default an hour before to) to to (default now). */
export class IndicatorValuesQuery extends TimeRangeQuery {}
