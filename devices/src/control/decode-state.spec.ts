import { envSensor } from '../catalogue/building.js';
import { decodeState } from './decode-state.js';

const decode = (body: unknown, maxBytes = 4096) => decodeState(Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), envSensor, maxBytes);

describe('decodeState', () => {
  it('reads reported config keys, with null removing one', () => {
    expect(decode({ reported: { reporting_interval_s: 30, display_enabled: null } })).toEqual({ ok: true, reported: { reporting_interval_s: 30, display_enabled: null } });
  });

  it('accepts the client’s last will {"online": false} without touching reported state', () => {
    expect(decode({ online: false })).toEqual({ ok: true, reported: {}, online: false });
  });

  it('refuses the whole report when one key is bad, naming it under reported.', () => {
    const decoded = decode({ reported: { reporting_interval_s: 30, co2_alarm_ppm: 99_999 } });
    expect(decoded).toEqual({ ok: false, rejected: [expect.objectContaining({ reason: 'out_of_range', field: 'reported.co2_alarm_ppm' })] });
  });

  it.each([
    ['an oversized payload', 'x'.repeat(100), 'payload_too_large', 50],
    ['bad JSON', '{"reported":', 'malformed_json', 4096],
    ['an array', [], 'invalid_shape', 4096],
    ['an unexpected key', { reported: {}, state: {} }, 'invalid_shape', 4096],
    ['nothing to report', {}, 'invalid_shape', 4096],
    ['online as a string', { online: 'no' }, 'wrong_type', 4096],
    ['a key not in the type', { reported: { firmware: '1.2' } }, 'unknown_field', 4096],
  ])('refuses %s', (_label, body, reason, maxBytes) => {
    const decoded = decode(body, maxBytes as number);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.rejected[0].reason).toBe(reason);
  });
});
