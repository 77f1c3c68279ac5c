import type { ShareAgreement } from './share-store.js';
import { sharedAlertOf, sharesAlert } from './shared-alerts.js';

describe('alert shares: which alerts they give, and how the receiving city sees one', () => {
  const share: ShareAgreement = {
    id: 'sh-000000000000',
    kind: 'alerts',
    alerts: { fields: ['frequency'], severities: ['critical'] },
    fromCity: 'tianjin',
    toCity: 'beijing',
    deviceTypes: [],
    fields: [],
    granularity: { kind: 'raw' },
    from: '2026-12-01T00:00:00.000Z',
    to: '2026-12-02T00:00:00.000Z',
    expiresAt: '2027-01-01T00:00:00.000Z',
    state: 'accepted',
    acceptedBy: ['beijing'],
    offeredBy: 't',
    offeredAt: '2026-12-01T00:00:00.000Z',
  };
  const alert = {
    id: 'a1',
    ruleId: 'freq-high',
    deviceId: 'tj-m-1',
    deviceType: 'electricity-meter',
    city: 'tianjin',
    site: 'tj-port',
    field: 'frequency',
    severity: 'critical',
    state: 'open',
    description: 'over-frequency',
    openedAt: '2026-12-01T12:00:00.000Z',
    lastValue: 51,
    peakValue: 51.2,
    count: 3,
    acknowledgedBy: 'tj operator',
    assignee: 'tj engineer',
  };

  it('gives the offering city’s alerts the selector chooses, opened within the share’s range', () => {
    expect(sharesAlert(share, alert)).toBe(true);
    expect(sharesAlert(share, { ...alert, field: 'voltage' })).toBe(false);
    expect(sharesAlert(share, { ...alert, severity: 'warning' })).toBe(false);
    expect(sharesAlert(share, { ...alert, city: 'beijing' })).toBe(false);
    expect(sharesAlert(share, { ...alert, openedAt: '2026-12-02T00:00:00.000Z' })).toBe(false);
    expect(sharesAlert({ ...share, sites: ['tj-airport'] }, alert)).toBe(false);
    expect(sharesAlert({ ...share, kind: undefined }, alert)).toBe(false);
  });

  it('marks a shared alert with source city and share, without who handles it in the offering city', () => {
    const shared = sharedAlertOf(share, alert, {
      id: 'e1',
      kind: 'raised',
      at: '2026-12-01T12:00:00.000Z',
      actor: 'rule',
    });
    expect(shared).toMatchObject({
      source: { city: 'tianjin', share: 'sh-000000000000' },
      alert: { id: 'a1', field: 'frequency' },
      event: { id: 'e1', kind: 'raised' },
    });
    expect(shared.alert).not.toHaveProperty('acknowledgedBy');
    expect(shared.alert).not.toHaveProperty('assignee');
  });
});
