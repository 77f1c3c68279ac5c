import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsOptional, Matches, Min } from 'class-validator';
import { CITY_PATTERN } from '@citypulse/registry';

/** A simulator's device-id prefix: its devices are `<prefix>-…`. */
export const ID_PREFIX_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const PREFIX_MESSAGE =
  'prefix must be 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit (devices "<prefix>-…")';
const CITIES_MESSAGE = 'cities must be lower-case city slugs such as "beijing"';

/** Which devices: `<prefix>-…`, in these cities (default: every city the token may manage). */
class PrefixScope {
  @Matches(ID_PREFIX_PATTERN, { message: PREFIX_MESSAGE })
  prefix!: string;

  @IsOptional()
  @IsArray({ message: CITIES_MESSAGE })
  @ArrayMinSize(1, { message: CITIES_MESSAGE })
  @ArrayMaxSize(100)
  @Matches(CITY_PATTERN, { each: true, message: CITIES_MESSAGE })
  cities?: string[];
}

export class OpenReplaySessionDto extends PrefixScope {}

export class CleanupDto extends PrefixScope {}

export class EndReplaySessionDto {
  /** The end of the replayed traffic in its own time (epoch ms): devices quiet for a deadman window before it raise. */
  @IsInt({ message: 'endMs must be an integer (epoch milliseconds)' })
  @Min(0, { message: 'endMs must be an integer (epoch milliseconds)' })
  endMs!: number;
}

export class ReplaySessionPath {
  @Matches(ID_PREFIX_PATTERN, { message: PREFIX_MESSAGE })
  prefix!: string;
}
