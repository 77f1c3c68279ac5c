import { BadGatewayException, NotImplementedException } from '@nestjs/common';
import type { Response } from 'express';
import { streamQuery, type InfluxQueryClient, type Series } from '@citypulse/storage';
import { rowFormat, type CellValue, type ExportFormat } from './export-format.js';
import { pumpExport, type ExportOutcome } from './export-stream.js';

/*
 * Sends one export as an HTTP response: InfluxDB's chunked answer to a statement, streamed at the
 * client's pace (export-stream.ts). Shared by GET /telemetry/export (a city's own raw points) and
 * GET /shares/:id/export (what an agreement gives another city), which decide what is asked.
 */

/**
 * Rows per chunk asked of InfluxDB: about 100 KB of JSON each, parsed and written one at a time.
 * A chunk is what survives a scavenge while the response drains; 5,000 rows cost more memory (+28 MB
 * against +20 MB over a 1 M-row export) for no measurable speed.
 */
const CHUNK_ROWS = 1000;

/** One of several statements of an export, and the tags its series get (what it is about, e.g. a district). */
export interface TaggedStatement {
  statement: string;
  tags: Record<string, string>;
}

export interface ExportPlan {
  /**
   * The SELECT, limited to one row more than `limit` (to notice more); or several, run one after the other, each
   * one's series tagged as it says (a district-totals share asks once per district).
   */
  statement: string | readonly TaggedStatement[];
  columns: readonly string[];
  /** One series of a chunk as rows of cells in `columns` order (export-stream.ts). */
  cellsOf: (series: Series) => Iterable<readonly CellValue[]>;
  limit: number;
  format: ExportFormat;
  /** The attachment's file name without extension: only [A-Za-z0-9-], nothing to escape. */
  fileStem: string;
}

/**
 * Streams the plan's rows to `res`. The first chunk is read before the status line, so a query
 * InfluxDB refuses is still an HTTP error (502); `beforeSending` (the audit record) runs once the
 * export is sure to start. A complete export ends the response; a short one is cut off after its
 * trailer, so the client sees an incomplete transfer.
 */
export async function sendExport(
  influx: InfluxQueryClient,
  plan: ExportPlan,
  res: Response,
  beforeSending: () => Promise<unknown>,
): Promise<ExportOutcome> {
  const abort = new AbortController();
  res.once('close', () => abort.abort());
  const chunks = planChunks(influx, plan.statement, abort.signal);
  const first = await chunks.next().catch(storageFailed);
  await beforeSending();

  const format = rowFormat(plan.format);
  res.status(200);
  res.setHeader('content-type', format.contentType);
  res.setHeader('content-disposition', `attachment; filename="${plan.fileStem}.${format.extension}"`);
  res.setHeader('cache-control', 'no-store');
  const outcome = await pumpExport(
    { columns: plan.columns, chunks: resumed(first, chunks), cellsOf: plan.cellsOf, limit: plan.limit },
    format,
    res,
  );
  if (outcome.end.kind === 'complete') res.end();
  else res.destroy();
  return outcome;
}

/**
 * VictoriaMetrics answers /ping without X-Influxdb-Version and every /query with its list of
 * databases, whatever the statement: exporting from it would send an empty file as if nothing
 * matched. Its own /api/v1/export serves its data instead.
 */
export async function requireInfluxQl(influx: InfluxQueryClient): Promise<void> {
  const { version } = await influx.ping().catch(storageFailed);
  if (!version) {
    throw new NotImplementedException(
      'telemetry export needs InfluxQL (InfluxDB 1.x, or the /query of 2.x/3.x); the storage answers /ping ' +
        'without X-Influxdb-Version, as VictoriaMetrics does, which answers no InfluxQL SELECT — use its ' +
        '/api/v1/export',
    );
  }
}

export function storageFailed(error: unknown): never {
  throw new BadGatewayException(
    `InfluxDB did not answer the export: ${error instanceof Error ? error.message : String(error)}`,
  );
}

/** An instant as a file-name stamp: 20260501T000000Z. */
export function fileStamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** A file-name part: anything but [A-Za-z0-9-] becomes '-'. */
export function fileNamePart(text: string): string {
  return text.replace(/[^A-Za-z0-9-]/g, '-');
}

/** InfluxDB's answer to the plan's statement, or to each of its statements in turn with their series tagged. */
async function* planChunks(
  influx: InfluxQueryClient,
  statement: ExportPlan['statement'],
  signal: AbortSignal,
): AsyncGenerator<Series[]> {
  const stream = (text: string) => streamQuery(influx.queryRequest(text), { chunkSize: CHUNK_ROWS, signal });
  if (typeof statement === 'string') {
    yield* stream(statement);
    return;
  }
  for (const part of statement)
    for await (const chunk of stream(part.statement))
      yield chunk.map((series) => ({ ...series, tags: { ...series.tags, ...part.tags } }));
}

/** The chunk already read, then the rest. */
async function* resumed(first: IteratorResult<Series[]>, rest: AsyncGenerator<Series[]>): AsyncGenerator<Series[]> {
  if (first.done) return;
  yield first.value;
  yield* rest;
}
