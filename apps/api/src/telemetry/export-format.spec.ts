import { csvCell, rowFormat } from './export-format.js';

describe('export formats', () => {
  it('quotes a CSV cell only when RFC 4180 needs it, doubling quotes', () => {
    expect([
      csvCell('plain'),
      csvCell('a,b'),
      csvCell('say "hi"'),
      csvCell('two\nlines'),
      csvCell('cr\r'),
      csvCell(''),
    ]).toEqual(['plain', '"a,b"', '"say ""hi"""', '"two\nlines"', '"cr\r"', '']);
    expect([
      csvCell(null),
      csvCell(undefined),
      csvCell(21.5),
      csvCell(-0.001),
      csvCell(1e21),
      csvCell(true),
      csvCell(false),
    ]).toEqual(['', '', '21.5', '-0.001', '1e+21', 'true', 'false']);
  });

  it('writes CSV with a header row and CRLF line ends, and an #error trailer', () => {
    const csv = rowFormat('csv');
    expect(csv.header(['time', 'mode'])).toBe('time,mode\r\n');
    expect(csv.row(['time', 'mode'], ['2026-05-01T00:00:00Z', 'heat, "eco"'])).toBe(
      '2026-05-01T00:00:00Z,"heat, ""eco"""\r\n',
    );
    expect(csv.trailer('row_limit_exceeded', 'more than 3 rows, narrow it')).toBe(
      '#error,row_limit_exceeded,"more than 3 rows, narrow it"\r\n',
    );
  });

  it('writes NDJSON as one object per line with every column, null where a field is missing', () => {
    const ndjson = rowFormat('ndjson');
    expect(ndjson.header(['time'])).toBe('');
    const line = ndjson.row(['time', 'temperature', 'mode'], ['2026-05-01T00:00:00Z', undefined, 'a\nb']);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(JSON.parse(line) as unknown).toEqual({ time: '2026-05-01T00:00:00Z', temperature: null, mode: 'a\nb' });
    expect(JSON.parse(ndjson.trailer('storage_failed', 'boom')) as unknown).toEqual({
      error: 'storage_failed',
      message: 'boom',
    });
  });
});
