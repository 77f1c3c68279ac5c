import { runProcess } from '@citypulse/core';
import { ingestApp } from './ingest.app.js';

await runProcess([ingestApp]);
