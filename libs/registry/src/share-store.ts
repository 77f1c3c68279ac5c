import { luaScript, slotTag, type RedisClient, type ScriptRunner } from '@citypulse/redis';

/** Who may receive a share: one city, or every city of the cluster ("*"). */
export const WHOLE_CLUSTER = '*';

/**
 * raw: any interval; aggregate: only intervals of at least minIntervalMinutes; site-totals: only
 * per-site sum/mean over intervals of at least minIntervalMinutes, a site left out of an interval
 * in which fewer than minDevices of its devices reported (privacy by aggregation); district-totals:
 * the same per district of the offering city (DistrictMap), a site in no district counting in none.
 */
export type ShareGranularity = { kind: 'raw' } | { kind: 'aggregate'; minIntervalMinutes: number } | TotalsGranularity;

/** A granularity that gives only totals over groups of devices: per site, or per district. */
export type TotalsGranularity = {
  kind: 'site-totals' | 'district-totals';
  minIntervalMinutes: number;
  minDevices: number;
};

export function isTotals(granularity: ShareGranularity): granularity is TotalsGranularity {
  return granularity.kind === 'site-totals' || granularity.kind === 'district-totals';
}

/** The stored lifecycle; `expired` is never stored, it is read off expiresAt (shareStatus). */
export type ShareState = 'offered' | 'accepted' | 'revoked';
export type ShareStatus = ShareState | 'expired';

/** Which of the offering city's alert events an alert share gives (each absent: any). */
export interface AlertShareSelector {
  ruleIds?: string[];
  deviceTypes?: string[];
  /** The measured field the alert is about, e.g. frequency. */
  fields?: string[];
  severities?: string[];
}

/**
 * A city's offer of part of its telemetry — or, kind `alerts`, of its alert events — to another
 * city (or the cluster).
 */
export interface ShareAgreement {
  id: string;
  /**
   * Absent: telemetry (deviceTypes, fields, sites, granularity). `alerts`: alert events chosen by `alerts` (and sites).
   */
  kind?: 'alerts';
  alerts?: AlertShareSelector;
  fromCity: string;
  /** A city, or WHOLE_CLUSTER. */
  toCity: string;
  deviceTypes: string[];
  fields: string[];
  /** Only these sites of fromCity; every site when absent. */
  sites?: string[];
  granularity: ShareGranularity;
  /** The data's time range the share covers (ISO 8601, from inclusive, to exclusive). */
  from: string;
  to: string;
  /** After this the share answers nothing (as if revoked). */
  expiresAt: string;
  state: ShareState;
  /** Receiving cities that accepted (one for a city share; each city for itself for a cluster share). */
  acceptedBy: string[];
  offeredBy: string;
  offeredAt: string;
  revokedAt?: string;
}

export function shareStatus(share: ShareAgreement, nowMs: number): ShareStatus {
  if (share.state === 'revoked') return 'revoked';
  if (Date.parse(share.expiresAt) <= nowMs) return 'expired';
  return share.state;
}

/** The cities that may read the share now: its accepting cities while it is accepted, not revoked and not expired. */
export function liveReceivers(share: ShareAgreement, nowMs: number): readonly string[] {
  return shareStatus(share, nowMs) === 'accepted' ? share.acceptedBy : [];
}

/**
 * Sharing agreements in Redis: one JSON value per agreement and a set of ids, under one slot tag
 * so the two are written in one transaction on a cluster too. Agreements are few (cities × cities),
 * so listing reads them all.
 */
export class ShareStore {
  private readonly tag: string;
  private readonly compareAndSet: ScriptRunner;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
  ) {
    this.tag = slotTag(prefix, 'shares');
    this.compareAndSet = luaScript(redis, 'share_compare_and_set', COMPARE_AND_SET);
  }

  private keyOf(id: string): string {
    return `${this.tag}:share:${id}`;
  }

  private get idsKey(): string {
    return `${this.tag}:ids`;
  }

  private listenedKeyOf(id: string): string {
    return `${this.tag}:listened:${id}`;
  }

  /**
   * Notes that someone (an SSE stream, an MQTT subscription) listens live to these shares: the live publisher
   * computes only for listened shares. Every process holding listeners renews its shares' notes every `renewEveryMs`
   * (CP_SHARE_LIVE_TICK_MS); a note lasts three of those, so it lapses soon after the last listener is gone, even
   * when its process died.
   */
  async noteListened(ids: Iterable<string>, renewEveryMs: number): Promise<void> {
    const keys = [...ids].map((id) => this.listenedKeyOf(id));
    if (keys.length === 0) return;
    const forMs = Math.max(1000, 3 * Math.round(renewEveryMs));
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.set(key, '1', 'PX', forMs);
    await pipeline.exec();
  }

  /** Which of these shares someone listens to live now (noteListened). */
  async listened(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const notes = await this.redis.mget(...ids.map((id) => this.listenedKeyOf(id)));
    return new Set(ids.filter((_, i) => notes[i] !== null));
  }

  async put(share: ShareAgreement): Promise<void> {
    await this.redis.multi().set(this.keyOf(share.id), JSON.stringify(share)).sadd(this.idsKey, share.id).exec();
  }

  async get(id: string): Promise<ShareAgreement | undefined> {
    const json = await this.redis.get(this.keyOf(id));
    return json ? (JSON.parse(json) as ShareAgreement) : undefined;
  }

  async list(): Promise<ShareAgreement[]> {
    const ids = (await this.redis.smembers(this.idsKey)).sort();
    if (ids.length === 0) return [];
    const values = await this.redis.mget(...ids.map((id) => this.keyOf(id)));
    return values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as ShareAgreement);
  }

  /**
   * Applies a state change only if the stored agreement still is what `change` saw (compare-and-set
   * in Lua, retried): a revocation racing an acceptance wins or loses whole, never gets overwritten.
   */
  async update(id: string, change: (share: ShareAgreement) => ShareAgreement): Promise<ShareAgreement | undefined> {
    for (;;) {
      const seen = await this.redis.get(this.keyOf(id));
      if (!seen) return undefined;
      const next = change(JSON.parse(seen) as ShareAgreement);
      if ((await this.compareAndSet([this.keyOf(id)], [seen, JSON.stringify(next)])) === 1) return next;
    }
  }
}

const COMPARE_AND_SET = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0`;
