import type { ShareAgreement } from './share-store.js';
import { sharedSelection } from './share-scope.js';

describe('sharedSelection: what one read through a share may touch', () => {
  const share: ShareAgreement = {
    id: 'sh-000000000000',
    fromCity: 'tianjin',
    toCity: 'beijing',
    deviceTypes: ['electricity-meter'],
    fields: ['active_power', 'voltage', 'not_a_field'],
    sites: ['tj-port'],
    granularity: { kind: 'raw' },
    from: '2026-12-01T00:00:00.000Z',
    to: '2026-12-02T00:00:00.000Z',
    expiresAt: '2027-01-01T00:00:00.000Z',
    state: 'accepted',
    acceptedBy: ['beijing'],
    offeredBy: 't',
    offeredAt: '2026-12-01T00:00:00.000Z',
  };

  it('confines a read to the offering city, the shared type, its shared numeric fields and the share’s sites', () => {
    expect(sharedSelection(share, { deviceType: 'electricity-meter' })).toEqual({
      city: 'tianjin',
      deviceType: 'electricity-meter',
      measurement: 'energy',
      fields: ['voltage', 'active_power'],
      sites: ['tj-port'],
    });
    expect(
      sharedSelection(share, { deviceType: 'electricity-meter', fields: ['active_power'], site: 'tj-port' }),
    ).toMatchObject({ fields: ['active_power'], sites: ['tj-port'] });
  });

  it('names the query field at fault for anything the share does not give', () => {
    expect(sharedSelection(share, { deviceType: 'solar-inverter' })).toMatchObject({ field: 'deviceType' });
    expect(sharedSelection(share, { deviceType: 'electricity-meter', fields: ['current'] })).toMatchObject({
      field: 'fields',
    });
    expect(sharedSelection(share, { deviceType: 'electricity-meter', fields: ['current'] }, 'field')).toMatchObject({
      field: 'field',
    });
    expect(sharedSelection(share, { deviceType: 'electricity-meter', site: 'tj-airport' })).toMatchObject({
      field: 'site',
    });
    expect(
      sharedSelection({ ...share, kind: 'alerts', deviceTypes: [], fields: [] }, { deviceType: 'electricity-meter' }),
    ).toMatchObject({ field: 'deviceType', message: expect.stringContaining('alert events') });
  });
});
