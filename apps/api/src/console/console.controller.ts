import { Controller, Get, NotFoundException, Param, Redirect, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../auth/public.decorator.js';
import { ConsoleAssets } from './console-assets.js';
import { setConsoleHeaders } from './console-headers.js';

/**
 * The operator console's page and assets. They are public (they hold no data); every request the
 * page makes goes through the bearer-token API.
 */
@Controller()
export class ConsoleController {
  constructor(private readonly assets: ConsoleAssets) {}

  @Public()
  @Get()
  @Redirect('/console', 302)
  root(): void {}

  @Public()
  @Get('console')
  page(@Res() res: Response): void {
    this.send(res, 'index.html');
  }

  @Public()
  @Get('console/:asset')
  asset(@Param('asset') name: string, @Res() res: Response): void {
    this.send(res, name);
  }

  private send(res: Response, name: string): void {
    const asset = this.assets.get(name);
    if (!asset) throw new NotFoundException(`no console asset ${name}`);
    setConsoleHeaders(res, asset.contentType);
    res.status(200).end(asset.body);
  }
}
