import { ForbiddenException } from '@nestjs/common';
import type { Caller } from './caller.js';

/** Changing rules, webhooks or queue jobs affects every city: only an admin token may. */
export function requireAdmin(caller: Caller): void {
  if (!caller.admin) throw new ForbiddenException('this needs an admin token');
}
