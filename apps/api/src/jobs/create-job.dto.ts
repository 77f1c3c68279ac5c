import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { CITY_PATTERN, DEVICE_ID_PATTERN, SITE_PATTERN } from '@citypulse/registry';
import { deviceTypeNames } from '@citypulse/devices';
import { JOB_KINDS, type JobKind } from '@citypulse/jobs';
import { FIRMWARE_IMAGE_ID_PATTERN } from '@citypulse/firmware';
import { DEVICE_FIELD_MESSAGES } from '../devices/provision-device.dto.js';

/** Which devices: one city, optionally narrowed by site, type, firmware version, or to explicit ids. */
export class JobSelectionDto {
  @Matches(CITY_PATTERN, { message: DEVICE_FIELD_MESSAGES.city })
  city!: string;

  @IsOptional()
  @Matches(SITE_PATTERN, { message: DEVICE_FIELD_MESSAGES.site })
  site?: string;

  @IsOptional()
  @IsIn(deviceTypeNames(), { message: DEVICE_FIELD_MESSAGES.type })
  type?: string;

  /** Only devices reporting this firmware version (the registry's `firmwareVersion`). */
  @IsOptional()
  @IsString()
  @Length(1, 64)
  firmwareVersion?: string;

  /**
   * Exactly these devices (each must be in `city` and match the other filters). At most 4,000: the
   * API reads bodies of 100 kB at most; select larger sets by city, site, type or firmware version.
   */
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(4000)
  @Matches(DEVICE_ID_PATTERN, { each: true, message: 'each device id must match the device id pattern' })
  deviceIds?: string[];
}

export class JobCommandDto {
  /** A command of the selected devices' types (see GET /device-types). */
  @IsString()
  @Length(1, 64)
  name!: string;

  @IsOptional()
  @IsObject()
  params?: Record<string, unknown>;
}

/**
 * A firmware image of the catalogue (GET /firmware): each device gets its url, version, size, sha256 and its own
 * download token.
 */
export class JobFirmwareDto {
  @Matches(FIRMWARE_IMAGE_ID_PATTERN, { message: 'imageId must be the id of an image of GET /firmware' })
  imageId!: string;
}

/** The steps: a first batch (count or percent of the selection), then a rate. */
export class JobRolloutDto {
  @IsOptional()
  @IsInt()
  @Min(1)
  initialCount?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  initialPercent?: number;

  /** Devices per minute after the first batch has its outcomes. */
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  ratePerMinute!: number;
}

/** POST /jobs */
export class CreateJobDto {
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @IsIn(JOB_KINDS)
  kind!: JobKind;

  /** kind = command. */
  @ValidateIf((o: CreateJobDto) => o.kind === 'command' || o.command !== undefined)
  @ValidateNested()
  @Type(() => JobCommandDto)
  @IsObject()
  command?: JobCommandDto;

  /** kind = config: config keys of the selected devices' types. */
  @ValidateIf((o: CreateJobDto) => o.kind === 'config' || o.desired !== undefined)
  @IsObject()
  desired?: Record<string, unknown>;

  /** kind = firmware. */
  @ValidateIf((o: CreateJobDto) => o.kind === 'firmware' || o.firmware !== undefined)
  @ValidateNested()
  @Type(() => JobFirmwareDto)
  @IsObject()
  firmware?: JobFirmwareDto;

  @ValidateNested()
  @Type(() => JobSelectionDto)
  @IsObject()
  selection!: JobSelectionDto;

  @ValidateNested()
  @Type(() => JobRolloutDto)
  @IsObject()
  rollout!: JobRolloutDto;

  /** Abort when more than this share (%) of the devices reached so far failed or timed out (default 10). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100)
  abortFailurePercent?: number;

  /** The job is `completed` if at least this share (%) of the selection succeeded, else `failed` (default 100). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100)
  successPercent?: number;

  /**
   * Seconds an online device has to answer (default CP_COMMAND_DEFAULT_TIMEOUT_S, CP_FIRMWARE_UPDATE_TIMEOUT_S for
   * firmware; at most CP_COMMAND_MAX_TIMEOUT_S).
   */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(604_800)
  deviceTimeoutS?: number;

  /** ISO 8601; nothing is sent after it, devices offline until then are timed out (default: 24 h from now). */
  @IsOptional()
  @IsISO8601()
  deadline?: string;
}
