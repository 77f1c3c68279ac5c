import { IsIn, IsOptional, Matches } from 'class-validator';
import { DEVICE_STATES, JOB_STATES, type DeviceJobState, type JobState } from '@citypulse/jobs';
import { PageQuery } from '../common/paging.js';

/** Fleet job ids are random UUIDs. */
export class JobPath {
  @Matches(/^[0-9a-f-]{36}$/, { message: 'id must be a job id (UUID)' })
  id!: string;
}

/** GET /jobs?state=&limit=&offset= */
export class ListJobsQuery extends PageQuery {
  @IsOptional()
  @IsIn(JOB_STATES)
  state?: JobState;
}

/** GET /jobs/:id/devices?state=&limit=&offset= */
export class JobDevicesQuery extends PageQuery {
  @IsOptional()
  @IsIn(DEVICE_STATES)
  state?: DeviceJobState;
}
