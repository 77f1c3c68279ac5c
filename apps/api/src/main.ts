import { runProcess } from '../../citypulse/src/main-process.js';

await runProcess(['api']);
