import { runProcess } from './main-process.js';

// The all-in-one process: the apps named in CP_APPS (all four by default).
await runProcess();
