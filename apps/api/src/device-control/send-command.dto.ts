import { IsInt, IsObject, IsOptional, IsString, Length, Max, Min } from 'class-validator';

/** POST /devices/:id/commands */
export class SendCommandDto {
  /** A command of the device's type (see GET /device-types): reboot, set-interval, … */
  @IsString()
  @Length(1, 64)
  name!: string;

  /** The command's params, every one it declares. */
  @IsOptional()
  @IsObject()
  params?: Record<string, unknown>;

  /**
   * Seconds until the command times out if the device has not answered (CP_COMMAND_DEFAULT_TIMEOUT_S when absent;
   * CP_COMMAND_MAX_TIMEOUT_S at most).
   */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(604_800)
  timeoutS?: number;
}
