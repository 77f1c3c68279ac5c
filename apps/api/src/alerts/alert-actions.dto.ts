import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

/** Every operator action names who takes it (kept in the history and the audit log) and may carry a note. */
export class AlertActionDto {
  @IsString() @Length(1, 64)
  by!: string;

  @IsOptional() @IsString() @Length(0, 1000)
  note?: string;
}

export class AssignAlertDto extends AlertActionDto {
  @IsString() @Length(1, 64)
  assignee!: string;
}

export class SnoozeAlertDto extends AlertActionDto {
  /** Shelve for this long; 0 un-snoozes. */
  @IsInt() @Min(0) @Max(7 * 24 * 60)
  minutes!: number;
}
