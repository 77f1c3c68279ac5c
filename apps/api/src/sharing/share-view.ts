import { shareStatus, type ShareAgreement, type ShareStatus } from './share-store.js';

export type ShareView = Omit<ShareAgreement, 'kind'> & { kind: 'telemetry' | 'alerts'; status: ShareStatus };

/** An agreement as the API shows it: with its status now (expired is read off expiresAt). */
export function viewOf(share: ShareAgreement, nowMs: number): ShareView {
  return { ...share, kind: share.kind ?? 'telemetry', status: shareStatus(share, nowMs) };
}

/** One line for the audit log: what, with whom, how coarsely, which range, until when. */
export function describeShare(s: ShareAgreement): string {
  if (s.kind === 'alerts') {
    const chosen = Object.entries(s.alerts ?? {}).map(([k, v]) => `${k} ${(v as string[]).join(',')}`);
    const sites = s.sites ? [`sites ${s.sites.join(',')}`] : [];
    return (
      `${s.fromCity} -> ${s.toCity}: alert events (${[...chosen, ...sites].join('; ') || 'all'}), ` +
      `opened ${s.from} – ${s.to}, until ${s.expiresAt}`
    );
  }
  const g = s.granularity;
  const grain =
    g.kind === 'raw'
      ? 'raw'
      : g.kind === 'aggregate'
        ? `aggregates >= ${g.minIntervalMinutes} min`
        : `${g.kind === 'site-totals' ? 'site' : 'district'} totals >= ${g.minIntervalMinutes} min of >= ` +
          `${g.minDevices} devices`;
  const sites = s.sites ? ` sites ${s.sites.join(',')}` : '';
  return (
    `${s.fromCity} -> ${s.toCity}: ${s.deviceTypes.join(',')} ${s.fields.join(',')}${sites}, ${grain}, ` +
    `data ${s.from} – ${s.to}, until ${s.expiresAt}`
  );
}
