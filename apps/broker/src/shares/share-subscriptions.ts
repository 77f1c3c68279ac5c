import type { AuditLog } from '@citypulse/alert-store';
import { liveReceivers, type ShareStore } from '@citypulse/registry';
import type { OperatorSession } from '../operator-sessions.js';
import type { ShareDirectory } from './share-directory.js';
import type { ShareListeners } from './share-listeners.js';

/**
 * Whether an operator login may subscribe to a share's live topics: the agreement is read afresh,
 * and it must be accepted, live, and received by one of the login's cities (a cluster-wide login:
 * any live share). A granted subscription is a read through the share: audited, and noted as a
 * listener so the share's live data gets computed.
 */
export class ShareSubscriptions {
  constructor(
    private readonly store: ShareStore,
    private readonly directory: ShareDirectory,
    private readonly audit: AuditLog,
    private readonly listeners: ShareListeners,
  ) {}

  async authorize(operator: OperatorSession, shareId: string, filter: string): Promise<boolean> {
    const share = await this.store.get(shareId);
    if (!share) return false;
    this.directory.note(share);
    const receivers = liveReceivers(share, Date.now());
    const city = operator.cities === null ? receivers[0] : receivers.find((c) => operator.cities!.has(c));
    if (city === undefined) return false;
    await this.audit.record({
      actor: operator.tokenName,
      action: 'share.subscribe',
      target: `share:${shareId}`,
      detail: `${city} subscribed to ${filter} over MQTT`,
    });
    await this.listeners.granted(shareId);
    return true;
  }
}
