import { runProcess } from '@citypulse/core';
import { appsNamed } from './run-apps.js';

// The all-in-one process: the apps named in CP_APPS (all four by default).
await runProcess((config) => appsNamed(config.apps));
