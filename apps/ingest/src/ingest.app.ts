import type { ProcessApp } from '@citypulse/core';
import { IngestModule } from './ingest.module.js';

/** The ingest workers as a process runs them. */
export const ingestApp: ProcessApp = { name: 'ingest', module: IngestModule };
