import { envSensor } from '../catalogue/building.js';
import { decodeState } from './decode-state.js';

const decode = (body: unknown, maxBytes = 4096) =>
  decodeState(Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), envSensor, maxBytes);

describe('decodeState', () => {
  it('reads reported config keys, with null removing one', () => {
    expect(decode({ reported: { reporting_interval_s: 30, display_enabled: null } })).toEqual({
      ok: true,
      reported: { reporting_interval_s: 30, display_enabled: null },
    });
  });

  it('accepts the client’s last will {"online": false} without touching reported state', () => {
    expect(decode({ online: false })).toEqual({ ok: true, reported: {}, online: false });
  });

  it('refuses the whole report when one key is bad, naming it under reported.', () => {
    const decoded = decode({ reported: { reporting_interval_s: 30, co2_alarm_ppm: 99_999 } });
    expect(decoded).toEqual({
      ok: false,
      rejected: [expect.objectContaining({ reason: 'out_of_range', field: 'reported.co2_alarm_ppm' })],
    });
  });

  it('reads a firmware report alone or beside reported config', () => {
    expect(decode({ firmware: { version: '1.2.0' } })).toEqual({
      ok: true,
      reported: {},
      firmware: { version: '1.2.0' },
    });
    const progress = {
      version: '1.2.0',
      state: 'downloading',
      target: '1.3.0',
      percent: 42.5,
      commandId: '8f0b6c3e-4a0e-4d7f-9a43-2b1f7e0c9d11',
    };
    expect(decode({ reported: { reporting_interval_s: 30 }, firmware: progress })).toEqual({
      ok: true,
      reported: { reporting_interval_s: 30 },
      firmware: progress,
    });
    expect(
      decode({ firmware: { version: '1.2.0', state: 'failed', target: '1.3.0', reason: 'sha256_mismatch' } }),
    ).toMatchObject({ ok: true, firmware: { reason: 'sha256_mismatch' } });
  });

  it('refuses a bad firmware report naming each bad key under firmware.', () => {
    const decoded = decode({ firmware: { version: 'v 1', state: 'flashing', percent: 140, reason: 'oops', extra: 1 } });
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) {
      expect(decoded.rejected.map((r) => [r.field, r.reason])).toEqual([
        ['firmware.extra', 'unknown_field'],
        ['firmware.version', 'wrong_type'],
        ['firmware.state', 'wrong_type'],
        ['firmware.percent', 'out_of_range'],
        ['firmware.reason', 'wrong_type'],
      ]);
    }
    expect(decode({ firmware: '1.2.0' })).toMatchObject({
      ok: false,
      rejected: [{ reason: 'invalid_shape', field: 'firmware' }],
    });
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
    const decoded = decode(body, maxBytes);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.rejected[0].reason).toBe(reason);
  });
});
