import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsIn, IsOptional, Matches } from 'class-validator';
import { CITY_PATTERN, TOKEN_NAME_PATTERN, type TokenRole } from '@citypulse/registry';

export class CreateTokenDto {
  @Matches(TOKEN_NAME_PATTERN, {
    message: 'name must be a lower-case slug of up to 64 characters (it is the operator MQTT login: operator:<name>)',
  })
  name!: string;

  @IsIn(['admin', 'operator'], {
    message: 'role must be admin (reads and writes) or operator (reads and live streams only)',
  })
  role!: TokenRole;

  /** Omit for every city. */
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(100)
  @Matches(CITY_PATTERN, { each: true, message: 'each city must be a lower-case slug such as "beijing"' })
  cities?: string[];
}
