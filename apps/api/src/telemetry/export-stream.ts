import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Series } from '@citypulse/storage';
import type { CellValue, RowFormat } from './export-format.js';

/*
 * Moves an export from InfluxDB's chunks to the HTTP response at the pace the client reads: the
 * next chunk is asked for only once the response has taken the previous one (write() returned
 * true, or 'drain'), so at most a chunk or two of rows is in memory whatever the export's size.
 */

export interface ExportSource {
  /** The export's columns, for the header and the NDJSON keys. */
  columns: readonly string[];
  /** InfluxDB's answer, chunk by chunk (streamQuery). */
  chunks: AsyncIterable<Series[]>;
  /** One series of a chunk as rows of cells in `columns` order, each used before the next is asked for. */
  cellsOf(series: Series): Iterable<readonly CellValue[]>;
  /** The most rows the export may hold; the source holds one more when more matched. */
  limit: number;
}

export type ExportEnd =
  | { kind: 'complete' }
  /** More rows than the limit: the rows up to it were sent, then the trailer. */
  | { kind: 'limit' }
  /** Reading InfluxDB failed midway: the rows so far were sent, then the trailer. */
  | { kind: 'failed'; error: unknown }
  /** The client went away; nothing more could be sent. */
  | { kind: 'gone' };

export interface ExportOutcome {
  end: ExportEnd;
  rows: number;
  bytes: number;
}

class SinkClosed extends Error {}

/**
 * Rows are written in pieces of about this many characters: small enough that each piece, and the
 * rows it came from, die young (a scavenge frees them) instead of being promoted to the old
 * generation while the response drains, where they would wait for a full collection.
 */
const WRITE_CHARS = 64 * 1024;

/**
 * Writes the header, the rows and, when the export stops short, a trailer naming why
 * (RowFormat.trailer). Resolves once everything written has been handed to `sink`; it does not
 * end `sink` (the caller ends it, or destroys it after a short export so the client sees an
 * incomplete transfer).
 */
export async function pumpExport(source: ExportSource, format: RowFormat, sink: Writable): Promise<ExportOutcome> {
  let rows = 0;
  let bytes = 0;
  const send = async (text: string) => {
    if (text === '') return;
    if (sink.destroyed || sink.writableEnded) throw new SinkClosed();
    bytes += Buffer.byteLength(text);
    if (!sink.write(text)) await drained(sink);
  };
  // Waits until the trailer (and so all before it) is flushed to the socket: the caller then cuts
  // the connection, which would drop bytes still queued.
  const stop = async (code: string, message: string) => {
    if (sink.destroyed || sink.writableEnded) return;
    const text = format.trailer(code, message);
    bytes += Buffer.byteLength(text);
    await new Promise<void>((resolve) => {
      sink.write(text, () => resolve());
      sink.once('close', resolve);
    });
  };

  try {
    await send(format.header(source.columns));
    for await (const chunk of source.chunks) {
      let text = '';
      for (const series of chunk) {
        for (const cells of source.cellsOf(series)) {
          if (rows === source.limit) {
            await send(text);
            await stop(
              'row_limit_exceeded',
              `more than ${source.limit} rows match this export; the first ${source.limit} were sent. Narrow ` +
                `from/to, site, device or fields, or raise limit (at most CP_EXPORT_MAX_ROWS)`,
            );
            return { end: { kind: 'limit' }, rows, bytes };
          }
          text += format.row(source.columns, cells);
          rows++;
          if (text.length >= WRITE_CHARS) {
            await send(text);
            text = '';
          }
        }
      }
      await send(text);
    }
    return { end: { kind: 'complete' }, rows, bytes };
  } catch (error) {
    // A client gone also aborts the InfluxDB request, whose error then arrives here.
    if (error instanceof SinkClosed || sink.destroyed) return { end: { kind: 'gone' }, rows, bytes };
    await stop(
      'storage_failed',
      `reading InfluxDB failed after ${rows} rows: ${error instanceof Error ? error.message : String(error)}`,
    );
    return { end: { kind: 'failed', error }, rows, bytes };
  }
}

/** Resolves on 'drain'; rejects with SinkClosed when the sink closes or fails first. */
async function drained(sink: Writable): Promise<void> {
  const done = new AbortController();
  try {
    const closed = once(sink, 'close', { signal: done.signal }).then(() => Promise.reject(new SinkClosed()));
    await Promise.race([once(sink, 'drain', { signal: done.signal }), closed]);
  } catch {
    // Whatever ended the wait other than 'drain' (close, error) means the sink takes no more.
    throw new SinkClosed();
  } finally {
    done.abort();
  }
}
