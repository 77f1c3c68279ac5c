import { Matches } from 'class-validator';
import { TOKEN_NAME_PATTERN } from '@citypulse/registry';

/** `/tokens/:name`: a name no token can have is a 400 naming `name`, before any lookup. */
export class TokenPath {
  @Matches(TOKEN_NAME_PATTERN, { message: 'name must be a lower-case slug of up to 64 characters' })
  name!: string;
}
