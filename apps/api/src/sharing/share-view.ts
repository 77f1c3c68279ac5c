import { shareStatus, type ShareAgreement, type ShareStatus } from './share-store.js';

export type ShareView = ShareAgreement & { status: ShareStatus };

/** An agreement as the API shows it: with its status now (expired is read off expiresAt). */
export function viewOf(share: ShareAgreement, nowMs: number): ShareView {
  return { ...share, status: shareStatus(share, nowMs) };
}

/** One line for the audit log: what, with whom, how coarsely, which range, until when. */
export function describeShare(s: ShareAgreement): string {
  const grain = s.granularity.kind === 'raw' ? 'raw' : `aggregates >= ${s.granularity.minIntervalMinutes} min`;
  const sites = s.sites ? ` sites ${s.sites.join(',')}` : '';
  return `${s.fromCity} -> ${s.toCity}: ${s.deviceTypes.join(',')} ${s.fields.join(',')}${sites}, ${grain}, data ${s.from} – ${s.to}, until ${s.expiresAt}`;
}
