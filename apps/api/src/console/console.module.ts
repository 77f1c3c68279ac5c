import { Module } from '@nestjs/common';
import { ConsoleAssets } from './console-assets.js';
import { ConsoleController } from './console.controller.js';
import { ConsoleSessionController } from './console-session.controller.js';

/** The operator console: static page + assets at /console, and its cookie session for /queues. */
@Module({
  controllers: [ConsoleSessionController, ConsoleController],
  providers: [{ provide: ConsoleAssets, useFactory: () => new ConsoleAssets() }],
})
export class ConsoleModule {}
