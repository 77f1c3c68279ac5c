import { IsInt, IsObject, IsOptional, Min } from 'class-validator';

/** PUT /devices/:id/shadow/desired — a partial update of the desired configuration. */
export class SetDesiredDto {
  /** Config keys of the device's type (see GET /device-types); null removes a key. */
  @IsObject()
  desired!: Record<string, unknown>;

  /** The desired version this update was made against; if the shadow has moved on since, 409 and nothing changes. */
  @IsOptional()
  @IsInt()
  @Min(0)
  version?: number;
}
