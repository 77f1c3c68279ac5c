import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { COMMAND_STATUSES, type CommandStatus } from '@citypulse/commands';
import { PageOffset } from '../common/paging.js';

/** GET /devices/:id/commands?status=&limit=&offset= */
export class ListCommandsQuery {
  @IsOptional()
  @IsIn(COMMAND_STATUSES)
  status?: CommandStatus;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit = 20;

  @PageOffset()
  offset = 0;
}
