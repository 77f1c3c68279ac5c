import type { ShareAgreement } from './share-store.js';
import { sharedWindow } from './shared-window.js';

describe('sharedWindow: the time window a read through a share answers', () => {
  const h = (hours: number) => Date.UTC(2026, 11, 1) + hours * 3_600_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  const share = (granularity: ShareAgreement['granularity']): ShareAgreement => ({
    id: 'sh-000000000000',
    fromCity: 'tianjin',
    toCity: 'beijing',
    deviceTypes: ['electricity-meter'],
    fields: ['active_power'],
    granularity,
    from: iso(h(0)),
    to: iso(h(2)),
    expiresAt: iso(h(100)),
    state: 'accepted',
    acceptedBy: ['beijing'],
    offeredBy: 't',
    offeredAt: iso(h(0)),
  });
  const aggregate = share({ kind: 'aggregate', minIntervalMinutes: 15 });
  const raw = share({ kind: 'raw' });

  it('clips the requested range to the share’s data range', () => {
    expect(sharedWindow(raw, { from: iso(h(-5)), to: iso(h(5)), every: '1h' }, h(10))).toMatchObject({
      raw: false,
      fromMs: h(0),
      toMs: h(2),
      every: '1h',
    });
    expect(sharedWindow(raw, { from: iso(h(3)), to: iso(h(4)) }, h(10))).toEqual(
      expect.objectContaining({ field: 'from' }),
    );
  });

  it('defaults to the last hour of the shared range, at no finer than the share’s minimum interval', () => {
    expect(sharedWindow(aggregate, {}, h(10))).toMatchObject({ fromMs: h(1), toMs: h(2), every: '15m' });
  });

  it('keeps an aggregate-only share to whole intervals of at least its minimum, and no raw readings', () => {
    expect(sharedWindow(aggregate, { every: 'raw' }, h(10))).toEqual(expect.objectContaining({ field: 'every' }));
    expect(sharedWindow(aggregate, { every: '14m' }, h(10))).toEqual(expect.objectContaining({ field: 'every' }));
    expect(
      sharedWindow(aggregate, { from: iso(h(0) + 60_000), to: iso(h(1) + 60_000), every: '15m' }, h(10)),
    ).toMatchObject({ fromMs: h(0.25), toMs: h(1) });
    expect(
      sharedWindow(aggregate, { from: iso(h(0) + 60_000), to: iso(h(0) + 14 * 60_000), every: '15m' }, h(10)),
    ).toEqual(expect.objectContaining({ field: 'from' }));
  });

  it('gives a raw share its readings over the clipped range', () => {
    expect(sharedWindow(raw, { from: iso(h(1)), every: 'raw' }, h(10))).toEqual({
      raw: true,
      fromMs: h(1),
      toMs: h(2),
    });
  });
});
