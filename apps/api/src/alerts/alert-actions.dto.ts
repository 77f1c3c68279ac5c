import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';

/** Every operator action names who takes it (kept in the history and the audit log) and may carry a note. */
export class AlertActionDto {
  @IsString()
  @Length(1, 64)
  by!: string;

  @IsOptional()
  @IsString()
  @Length(0, 1000)
  note?: string;
}

export class AssignAlertDto extends AlertActionDto {
  @IsString()
  @Length(1, 64)
  assignee!: string;
}

export class SnoozeAlertDto extends AlertActionDto {
  /** Shelve for this long; 0 un-snoozes. */
  @IsInt()
  @Min(0)
  @Max(7 * 24 * 60)
  minutes!: number;
}

export const BULK_ACTIONS = ['acknowledge', 'assign'] as const;
export const BULK_MAX = 500;

/** One action on many alerts at once (e.g. a storm of one cause): each applies or is refused on its own. */
export class BulkAlertActionDto extends AlertActionDto {
  @IsIn(BULK_ACTIONS)
  action!: (typeof BULK_ACTIONS)[number];

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(BULK_MAX)
  @ArrayUnique()
  @IsString({ each: true })
  @Length(1, 300, { each: true })
  ids!: string[];

  /** Required for `assign`. */
  @ValidateIf((o: BulkAlertActionDto) => o.action === 'assign')
  @IsString()
  @Length(1, 64)
  assignee?: string;
}
