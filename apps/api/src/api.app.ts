import type { ProcessApp } from '@citypulse/core';
import { ApiModule } from './api.module.js';
import { configureHttp } from './configure-http.js';

/** The HTTP API as a process runs it: the one app that serves HTTP. */
export const apiApp: ProcessApp = { name: 'api', module: ApiModule, http: configureHttp };
