import { HostileTally } from './hostile-tally.js';

describe('the hostile-input tally', () => {
  it('counts tried and correctly refused inputs per category, keeps what went wrong, and totals them', () => {
    const tally = new HostileTally('hostile MQTT');
    tally.record('topic spoofing', true, 'devices/x/telemetry');
    tally.record('topic spoofing', false, '$SYS/x: accepted');
    tally.record('oversized packets', true, '300 kB publish');
    tally.survived('topic spoofing', true);
    tally.survived('oversized packets', false);

    expect(tally.wrong('topic spoofing')).toEqual(['$SYS/x: accepted']);
    expect(tally.totals).toEqual({ tried: 3, refused: 2 });
    const lines = tally.table().split('\n');
    expect(lines[0]).toBe('hostile MQTT');
    expect(lines[1]).toMatch(/^category\s+tried\s+refused correctly\s+survived$/);
    expect(lines[3]).toMatch(/^topic spoofing\s+2\s+1\s+yes$/);
    expect(lines[4]).toMatch(/^oversized packets\s+1\s+1\s+NO$/);
    expect(lines[6]).toMatch(/^total\s+3\s+2\s+NO$/);
  });
});
