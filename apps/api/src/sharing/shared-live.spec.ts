import type { ShareAgreement } from './share-store.js';
import { liveWindow, RAW_LOOKBACK_MS } from './shared-live.js';

describe('liveWindow: what a live shared stream covers at one tick', () => {
  const min = (m: number) => Date.UTC(2026, 11, 1) + m * 60_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  const share = (granularity: ShareAgreement['granularity'], from = min(0), to = min(600)): ShareAgreement => ({
    id: 'sh-000000000000',
    fromCity: 'tianjin',
    toCity: 'beijing',
    deviceTypes: ['electricity-meter'],
    fields: ['active_power'],
    granularity,
    from: iso(from),
    to: iso(to),
    expiresAt: iso(min(10_000)),
    state: 'accepted',
    acceptedBy: ['beijing'],
    offeredBy: 't',
    offeredAt: iso(min(0)),
  });

  it('gives an aggregate-only share its last closed whole intervals, never the open one', () => {
    const now = min(100) + 20_000;
    expect(liveWindow(share({ kind: 'aggregate', minIntervalMinutes: 15 }), now)).toMatchObject({
      raw: false,
      fromMs: min(60),
      toMs: min(90),
      every: '15m',
    });
    expect(liveWindow(share({ kind: 'aggregate', minIntervalMinutes: 1 }), now)).toMatchObject({
      raw: false,
      fromMs: min(98),
      toMs: min(100),
      every: '1m',
    });
  });

  it('gives a raw share the readings of the last minutes, within its data range', () => {
    const now = min(100);
    expect(liveWindow(share({ kind: 'raw' }), now)).toEqual({ raw: true, fromMs: now - RAW_LOOKBACK_MS, toMs: now });
    expect(liveWindow(share({ kind: 'raw' }, min(99)), now)).toEqual({ raw: true, fromMs: min(99), toMs: now });
  });

  it('covers nothing outside the share’s data range', () => {
    expect(liveWindow(share({ kind: 'raw' }, min(0), min(50)), min(100))).toBeUndefined();
    expect(liveWindow(share({ kind: 'aggregate', minIntervalMinutes: 15 }, min(200)), min(100))).toBeUndefined();
  });
});
