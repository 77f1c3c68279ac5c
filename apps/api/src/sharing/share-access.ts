import type { Tenancy } from '../auth/tenancy.js';
import { shareStatus, WHOLE_CLUSTER, type ShareAgreement } from './share-store.js';

/*
 * Who may see and use an agreement. Pure. A city that is neither offering nor receiving never
 * learns of a share (404 everywhere); a cluster-wide share ("*") involves every city.
 */

/** Whether the caller's cities offer or may receive the share. */
export function involves(share: ShareAgreement, tenancy: Tenancy): boolean {
  return tenancy.allows(share.fromCity) || share.toCity === WHOLE_CLUSTER || tenancy.allows(share.toCity);
}

export function offeredByCaller(share: ShareAgreement, tenancy: Tenancy): boolean {
  return tenancy.allows(share.fromCity);
}

/** Whether `city` is one the share may be accepted for. */
export function mayReceive(share: ShareAgreement, city: string): boolean {
  return city !== share.fromCity && (share.toCity === WHOLE_CLUSTER || share.toCity === city);
}

/**
 * The receiving city a caller reads as: an accepting city of a live (accepted, not revoked, not
 * expired) share that the caller's token covers. Undefined: the share answers this caller nothing.
 */
export function readingCity(share: ShareAgreement, tenancy: Tenancy, nowMs: number): string | undefined {
  if (shareStatus(share, nowMs) !== 'accepted') return undefined;
  return share.acceptedBy.find((city) => tenancy.allows(city));
}
