import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { COMMAND_STATUSES, type CommandStatus } from '@citypulse/commands';

/** GET /devices/:id/commands?status=&limit= */
export class ListCommandsQuery {
  @IsOptional() @IsIn(COMMAND_STATUSES)
  status?: CommandStatus;

  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100)
  limit = 20;
}
