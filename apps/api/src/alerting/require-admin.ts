import { ForbiddenException } from '@nestjs/common';
import type { Caller } from './caller.js';

/** Changing rules, webhooks or queue jobs affects every city: only an admin token of every city may. */
export function requireAdmin(caller: Caller): void {
  if (!caller.admin) throw new ForbiddenException('this needs an admin token for every city');
}
