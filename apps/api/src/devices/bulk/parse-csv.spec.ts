import { CsvSyntaxError, parseCsv } from './parse-csv.js';

describe('parseCsv', () => {
  it('splits records and fields, trimming unquoted fields and skipping blank lines', () => {
    expect(parseCsv('id,type\r\n a , b \n\nc,d\n')).toEqual([
      { line: 1, values: ['id', 'type'] },
      { line: 2, values: ['a', 'b'] },
      { line: 4, values: ['c', 'd'] },
    ]);
  });

  it('keeps commas, doubled quotes and line breaks inside quoted fields, and counts lines through them', () => {
    expect(parseCsv('"a,1","say ""hi""","two\nlines"\nnext,"",x')).toEqual([
      { line: 1, values: ['a,1', 'say "hi"', 'two\nlines'] },
      { line: 3, values: ['next', '', 'x'] },
    ]);
  });

  it('keeps empty trailing fields and ignores a byte-order mark', () => {
    expect(parseCsv('\uFEFFid,name\nx,\n')).toEqual([
      { line: 1, values: ['id', 'name'] },
      { line: 2, values: ['x', ''] },
    ]);
  });

  it('refuses malformed quoting, naming the line', () => {
    expect(() => parseCsv('id\n"open')).toThrow(new CsvSyntaxError(2, 'a quoted field is never closed'));
    expect(() => parseCsv('id\nab"c"')).toThrow(CsvSyntaxError);
    expect(() => parseCsv('"a"b')).toThrow(/line 1: text after a closing quote/);
  });
});
