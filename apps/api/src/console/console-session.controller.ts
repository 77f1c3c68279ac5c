import { Controller, Delete, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../auth/public.decorator.js';
import { CurrentTenancy } from '../auth/tenancy.decorator.js';
import type { Tenancy } from '../auth/tenancy.js';

/** Read by the queue dashboard under /queues (bull-board), which cannot be sent a bearer header by a link. */
export const CONSOLE_COOKIE = 'citypulse_token';
const COOKIE_PATH = '/queues';

/**
 * Console login and logout. The page keeps the token in sessionStorage for its own fetches; this
 * also hands it to the browser as an HttpOnly cookie scoped to /queues, so the console can link to
 * the queue dashboard. HttpOnly: page scripts cannot read it; SameSite=Strict: other sites cannot
 * make the browser send it; Path=/queues: no other route ever sees it.
 */
@Controller('console/session')
export class ConsoleSessionController {
  /** Bearer-authenticated like every route: a 204 also tells the page that the token is valid. */
  @Post()
  @HttpCode(204)
  open(@Req() req: Request, @Res({ passthrough: true }) res: Response): void {
    const token = (req.headers.authorization ?? '').split(' ')[1];
    res.cookie(CONSOLE_COOKIE, token, { httpOnly: true, sameSite: 'strict', path: COOKIE_PATH, secure: req.secure });
  }

  /**
   * Who the page's token is: its name, role and cities (null: every city). The console hides
   * actions the role may not take (the API refuses them anyway: this only spares a useless form).
   */
  @Get()
  whoAmI(@CurrentTenancy() tenancy: Tenancy): { name: string; role: string; cities: readonly string[] | null } {
    return { name: tenancy.tokenName, role: tenancy.role, cities: tenancy.withinCities ?? null };
  }

  /** Public: clearing a cookie needs no rights, and a revoked token must still be able to log out. */
  @Public()
  @Delete()
  @HttpCode(204)
  close(@Req() req: Request, @Res({ passthrough: true }) res: Response): void {
    res.clearCookie(CONSOLE_COOKIE, { httpOnly: true, sameSite: 'strict', path: COOKIE_PATH, secure: req.secure });
  }
}
