// @citypulse/storage — InfluxDB writing and reading, the only storage I/O of citypulse.
export {
  toLineProtocol,
  toLines,
  toLine,
  lineFor,
  seriesKey,
  fieldSet,
  storedValues,
  storedString,
  type SeriesTags,
  type StoredFieldVisitor,
  escapeMeasurement,
  escapeTag,
  quoteFieldString,
  formatFieldValue,
} from './line-protocol.js';
export { WriteFailedError, type PointWriter, type WriteFailure } from './point-writer.js';
export { InfluxV1Writer, type InfluxV1WriterOptions } from './v1-writer.js';
export { InfluxV2Writer, type InfluxV2WriterOptions } from './v2-writer.js';
export { detectInfluxApi, apiFromVersion, type InfluxApi, type DetectOptions } from './detect.js';
export { createPointWriter, createWriterFor, type PointWriterOptions } from './create-point-writer.js';
export {
  decideWrite,
  backoffDelay,
  parseRetryAfter,
  dropCategory,
  DEFAULT_BACKOFF,
  MAX_RETRY_AFTER_MS,
  type WriteDecision,
  type DecisionContext,
  type BackoffOptions,
  type DropCategory,
} from './write-decision.js';
export {
  ResilientWriter,
  createResilientWriter,
  MAX_DROP_REASONS,
  type WriteOutcome,
  type ResilientWriterOptions,
  type WriteLogger,
} from './resilient-writer.js';
export {
  InfluxQueryClient,
  InfluxQueryError,
  type InfluxQueryClientOptions,
  type QueryOptions,
  type Row,
  type Series,
} from './query-client.js';
export { streamQuery, type StreamQueryOptions, type StreamQueryRequest } from './query-stream.js';
export { quoteIdent, quoteString, tagEquals, rfc3339ToEpochNs } from './influxql.js';
export { measureWriteCeiling, type CeilingOptions, type CeilingResult } from './measure-ceiling.js';
export { parseLine, parseSeriesKey, type ParsedLine } from './parse-line.js';
export * from './retention/index.js';
