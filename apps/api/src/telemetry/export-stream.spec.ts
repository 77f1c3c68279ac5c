import { Writable } from 'node:stream';
import type { Series } from '@citypulse/storage';
import { rowFormat } from './export-format.js';
import { pumpExport, type ExportSource } from './export-stream.js';

const columns = ['time', 'n'];
const chunkOf = (from: number, rows: number): Series[] => [
  { name: 'm', columns, values: Array.from({ length: rows }, (_, i) => [`t${from + i}`, from + i]) },
];
const source = (chunks: AsyncIterable<Series[]>, limit = 1_000_000): ExportSource => ({
  columns,
  chunks,
  cellsOf: (s) => (s.values ?? []) as Array<[string, number]>,
  limit,
});

/**
 * A real Writable that keeps what it is given; `_write` completes after `delay` (a turn of the event loop by default).
 */
function collector(options: { highWaterMark?: number; onWrite?: () => void } = {}) {
  let text = '';
  const sink = new Writable({
    highWaterMark: options.highWaterMark ?? 16 * 1024,
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      options.onWrite?.();
      setImmediate(done);
    },
  });
  return { sink, text: () => text };
}

describe('pumpExport', () => {
  it('asks for the next chunk only when the sink has taken the previous one (back-pressure)', async () => {
    let pulled = 0;
    let written = 0;
    let mostAhead = 0;
    async function* chunks() {
      for (let i = 0; i < 50; i++) {
        pulled++;
        mostAhead = Math.max(mostAhead, pulled - written);
        yield chunkOf(i * 200, 200);
      }
    }
    // Each chunk (~2 KB) is over the high-water mark: every write returns false until drained.
    const { sink, text } = collector({ highWaterMark: 1024, onWrite: () => written++ });
    const outcome = await pumpExport(source(chunks()), rowFormat('csv'), sink);
    expect(outcome).toEqual({ end: { kind: 'complete' }, rows: 10_000, bytes: Buffer.byteLength(text()) });
    expect(text().split('\r\n').length).toBe(1 + 10_000 + 1);
    // The header is written first, then each chunk is written before the next is pulled.
    expect(mostAhead).toBeLessThanOrEqual(2);
  });

  it('stops at the limit with a trailer when the source holds more rows', async () => {
    async function* chunks() {
      yield chunkOf(0, 2);
      yield chunkOf(2, 2);
    }
    const { sink, text } = collector();
    const outcome = await pumpExport(source(chunks(), 3), rowFormat('ndjson'), sink);
    expect(outcome.end).toEqual({ kind: 'limit' });
    expect(outcome.rows).toBe(3);
    const lines = text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    expect(lines).toEqual([
      { time: 't0', n: 0 },
      { time: 't1', n: 1 },
      { time: 't2', n: 2 },
      {
        error: 'row_limit_exceeded',
        message: expect.stringMatching(/^more than 3 rows match this export; the first 3 were sent/),
      },
    ]);
  });

  it('ends with a storage_failed trailer after the rows sent when the source fails midway', async () => {
    async function* chunks() {
      yield chunkOf(0, 2);
      throw new Error('InfluxDB sent nothing for 30000 ms');
    }
    const { sink, text } = collector();
    const outcome = await pumpExport(source(chunks()), rowFormat('csv'), sink);
    expect(outcome.end).toEqual({ kind: 'failed', error: new Error('InfluxDB sent nothing for 30000 ms') });
    expect(text().split('\r\n')).toEqual([
      'time,n',
      't0,0',
      't1,1',
      '#error,storage_failed,reading InfluxDB failed after 2 rows: InfluxDB sent nothing for 30000 ms',
      '',
    ]);
  });

  it('stops reading the source when the client goes away', async () => {
    let closedSource = false;
    async function* chunks() {
      try {
        for (let i = 0; ; i++) yield chunkOf(i * 200, 200);
      } finally {
        closedSource = true;
      }
    }
    const { sink } = collector({ highWaterMark: 1024 });
    let writes = 0;
    sink.on('drain', () => {
      if (++writes === 3) sink.destroy();
    });
    const outcome = await pumpExport(source(chunks()), rowFormat('csv'), sink);
    expect(outcome.end).toEqual({ kind: 'gone' });
    expect(closedSource).toBe(true);
  });
});
