export { IngestModule } from './ingest.module.js';
export { ingestApp } from './ingest.app.js';
