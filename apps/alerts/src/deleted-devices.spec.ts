import { DeletedDevices } from './deleted-devices.js';
import type { AppConfig } from '@citypulse/config';
import type { Logger } from '@citypulse/observability';

describe('deleted devices', () => {
  it('remembers a deletion for ten minutes and then lets the id be evaluated afresh', () => {
    const deleted = new DeletedDevices({} as AppConfig, {} as Logger);
    const t0 = 1_700_000_000_000;
    deleted.remember('a', t0);
    deleted.remember('b', t0 + 5 * 60_000);
    expect([deleted.has('a', t0 + 9 * 60_000), deleted.has('b', t0 + 9 * 60_000)]).toEqual([true, true]);
    expect([deleted.has('a', t0 + 10 * 60_000), deleted.has('b', t0 + 10 * 60_000)]).toEqual([false, true]);
    expect(deleted.has('never', t0)).toBe(false);
    // Deleted again (provisioned and deleted anew): remembered from the new time.
    deleted.remember('a', t0 + 11 * 60_000);
    expect(deleted.has('a', t0 + 20 * 60_000)).toBe(true);
  });
});
