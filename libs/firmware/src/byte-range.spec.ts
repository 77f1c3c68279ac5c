import { parseRange } from './byte-range.js';

describe('parseRange', () => {
  it('serves the whole body without a Range header', () => {
    expect(parseRange(undefined, 100)).toEqual({ kind: 'whole' });
  });
  it('reads a closed range, clamping its end to the body', () => {
    expect(parseRange('bytes=10-19', 100)).toEqual({ kind: 'partial', range: { start: 10, end: 19 } });
    expect(parseRange('bytes=90-500', 100)).toEqual({ kind: 'partial', range: { start: 90, end: 99 } });
  });
  it('reads an open range from where a download stopped', () => {
    expect(parseRange('bytes=42-', 100)).toEqual({ kind: 'partial', range: { start: 42, end: 99 } });
  });
  it('reads a suffix range as the last n bytes', () => {
    expect(parseRange('bytes=-10', 100)).toEqual({ kind: 'partial', range: { start: 90, end: 99 } });
    expect(parseRange('bytes=-1000', 100)).toEqual({ kind: 'partial', range: { start: 0, end: 99 } });
  });
  it('calls a range starting at or past the end unsatisfiable', () => {
    expect(parseRange('bytes=100-', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-0', 100)).toEqual({ kind: 'unsatisfiable' });
  });
  it('ignores what it does not serve: several ranges, other units, a reversed range', () => {
    expect(parseRange('bytes=0-1,5-6', 100)).toEqual({ kind: 'whole' });
    expect(parseRange('items=0-1', 100)).toEqual({ kind: 'whole' });
    expect(parseRange('bytes=9-3', 100)).toEqual({ kind: 'whole' });
    expect(parseRange('bytes=-', 100)).toEqual({ kind: 'whole' });
  });
});
