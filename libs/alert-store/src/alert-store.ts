import { randomUUID } from 'node:crypto';
import { luaScript, type RedisClient, type ScriptRunner } from '@citypulse/redis';
import { alertId } from '@citypulse/rules';
import { ALERT_STATES, SEVERITY_RANK, type Alert, type AlertEvent, type AlertState, type RaiseAlert } from './alert.js';
import { AlertKeys } from './alert-keys.js';
import { encodeEvent, flatten, fromHash, newAlertFields } from './alert-codec.js';
import { RAISE, TRANSITION } from './alert-scripts.js';

/** Why an operator's action did not apply. */
export type ActionRefusal = { refused: 'not_found' } | { refused: 'conflict'; state: AlertState };
export type ActionResult = { alert: Alert; event: AlertEvent } | ActionRefusal;

const NOT_RESOLVED = 'open,acknowledged';

/**
 * Alerts in Redis: a hash per alert, its history as a list, a pointer from (rule, device) to its
 * not-resolved alert (one open alert per pair), and time-ordered indexes by state, city, device
 * and rule. Every state change is one Lua script, so the rule engine (counting repeats, resolving)
 * and operators (acknowledging, assigning) can change the same alert at once without losing
 * either's update, and a change is refused if the alert has moved on (e.g. acknowledging a
 * resolved alert).
 */
export class AlertStore {
  private readonly keys: AlertKeys;
  private readonly raiseScript: ScriptRunner;
  private readonly transitionScript: ScriptRunner;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
  ) {
    this.keys = new AlertKeys(prefix);
    this.raiseScript = luaScript(redis, 'alert_raise', RAISE);
    this.transitionScript = luaScript(redis, 'alert_transition', TRANSITION);
  }

  /**
   * Opens the alert unless it exists already (a redelivered transition is a no-op), then marks
   * lower-severity open alerts of the same device and field as escalated by it. Returns the
   * events to announce; their ids are deterministic, so announcing a replay twice is harmless.
   * Raised under maintenance (`suppressedBy`), it is recorded with a `suppressed` history entry
   * naming the window, is never re-notified and supersedes nothing (escalating would notify).
   */
  async raise(input: RaiseAlert): Promise<{ alert: Alert; created: boolean; events: AlertEvent[] }> {
    const id = alertId(input.ruleId, input.deviceId, input.atMs);
    const at = new Date(input.atMs).toISOString();
    const raised: AlertEvent = {
      id: `${id}:raised`,
      alertId: id,
      kind: 'raised',
      at,
      actor: 'rule',
      value: input.value,
      ...(input.cause && { detail: input.cause }),
    };
    const k = this.keys;
    const suppressed: AlertEvent | undefined = input.suppressedBy
      ? {
          id: `${id}:suppressed`,
          alertId: id,
          kind: 'suppressed',
          at,
          actor: 'maintenance',
          detail: `maintenance window ${input.suppressedBy}`,
        }
      : undefined;
    const renotifyAt = input.renotifySeconds && !suppressed ? String(input.atMs + input.renotifySeconds * 1000) : '';
    const created =
      (await this.raiseScript(
        [
          k.alert(id),
          k.history(id),
          k.byState('open'),
          k.byState('all'),
          k.byCity(input.city),
          k.byDevice(input.deviceId),
          k.byRule(input.ruleId),
          k.current(input.ruleId, input.deviceId),
          k.deviceOpen(input.deviceId),
          k.renotify,
        ],
        [
          id,
          input.atMs,
          encodeEvent(raised),
          renotifyAt,
          suppressed ? encodeEvent(suppressed) : '',
          ...flatten(newAlertFields(id, input, new Date().toISOString())),
        ],
      )) === 1;
    const events = suppressed ? [raised, suppressed] : [raised];
    const escalated = suppressed ? undefined : await this.escalate(id, input);
    if (escalated) events.push(escalated);
    return { alert: (await this.get(id))!, created, events };
  }

  /** Supersedes lower-severity open alerts of the device and field; idempotent (already-escalated ones are skipped). */
  private async escalate(id: string, input: RaiseAlert): Promise<AlertEvent | undefined> {
    if (input.field === '') return undefined;
    const others = (await this.redis.smembers(this.keys.deviceOpen(input.deviceId))).filter((other) => other !== id);
    const lower: string[] = [];
    for (const other of await this.getMany(others)) {
      if (
        other.field === input.field &&
        SEVERITY_RANK[other.severity] < SEVERITY_RANK[input.severity] &&
        !other.escalatedTo
      )
        lower.push(other.id);
    }
    if (lower.length === 0) return undefined;
    const at = new Date(input.atMs).toISOString();
    const event: AlertEvent = {
      id: `${id}:escalated`,
      alertId: id,
      kind: 'escalated',
      at,
      actor: 'rule',
      value: input.value,
      detail: `supersedes ${lower.join(', ')}`,
    };
    await this.transition(id, NOT_RESOLVED, '', event, { escalatedFrom: lower.join(',') });
    for (const other of lower) {
      await this.transition(
        other,
        NOT_RESOLVED,
        '',
        {
          id: `${other}:escalated`,
          alertId: other,
          kind: 'escalated',
          at,
          actor: 'rule',
          detail: `superseded by ${id} (${input.severity})`,
        },
        { escalatedTo: id },
      );
    }
    return event;
  }

  /** Records another reading on a not-resolved alert (count, last and peak value) instead of a new alert. */
  async recordRepeat(
    id: string,
    latest: { value: number; peak: number; count: number; cause?: string },
  ): Promise<void> {
    const fields: Record<string, string> = {
      count: String(latest.count),
      lastValue: String(latest.value),
      peakValue: String(latest.peak),
      updatedAt: new Date().toISOString(),
    };
    if (latest.cause) fields.cause = latest.cause;
    await this.transition(id, NOT_RESOLVED, '', undefined, fields);
  }

  /**
   * Resolves the alert: by the rule engine (`actor` 'rule') when the condition cleared, or by an operator. Null if
   * already resolved or unknown.
   */
  async resolve(
    id: string,
    atMs: number,
    value: number | undefined,
    actor = 'rule',
    note?: string,
  ): Promise<{ alert: Alert; event: AlertEvent } | null> {
    const at = new Date(atMs).toISOString();
    const event: AlertEvent = {
      id: actor === 'rule' ? `${id}:resolved` : `${id}:resolved:${randomUUID()}`,
      alertId: id,
      kind: 'resolved',
      at,
      actor,
      ...(note && { note }),
      ...(value !== undefined && { value }),
    };
    const fields: Record<string, string> = { resolvedAt: at, resolvedBy: actor, updatedAt: new Date().toISOString() };
    if (value !== undefined) fields.lastValue = String(value);
    if (note) Object.assign(fields, noteFields(note, actor, at));
    const result = await this.transition(id, NOT_RESOLVED, 'resolved', event, fields);
    return result === 'ok' ? { alert: (await this.get(id))!, event } : null;
  }

  /** An operator takes responsibility: open → acknowledged. */
  acknowledge(id: string, actor: string, note?: string): Promise<ActionResult> {
    const at = new Date().toISOString();
    return this.operatorAction(
      id,
      'open',
      'acknowledged',
      { kind: 'acknowledged', actor, note, at },
      { acknowledgedAt: at, acknowledgedBy: actor, updatedAt: at },
    );
  }

  assign(id: string, assignee: string, actor: string, note?: string): Promise<ActionResult> {
    const at = new Date().toISOString();
    return this.operatorAction(
      id,
      NOT_RESOLVED,
      '',
      { kind: 'assigned', actor, note, at, detail: assignee },
      { assignee, updatedAt: at },
    );
  }

  /** Shelves the alert until `untilMs` (no re-notification meanwhile); an `untilMs` in the past un-snoozes. */
  snooze(id: string, untilMs: number, actor: string, note?: string): Promise<ActionResult> {
    const at = new Date().toISOString();
    const until = untilMs > Date.now() ? new Date(untilMs).toISOString() : '';
    return this.operatorAction(
      id,
      NOT_RESOLVED,
      '',
      { kind: 'snoozed', actor, note, at, detail: until || 'unsnoozed' },
      { snoozedUntil: until, updatedAt: at },
    );
  }

  async operatorResolve(id: string, actor: string, note?: string): Promise<ActionResult> {
    const done = await this.resolve(id, Date.now(), undefined, actor, note);
    if (done) return done;
    const alert = await this.get(id);
    return alert ? { refused: 'conflict', state: alert.state } : { refused: 'not_found' };
  }

  private async operatorAction(
    id: string,
    allowed: string,
    target: AlertState | '',
    partial: Omit<AlertEvent, 'id' | 'alertId'>,
    fields: Record<string, string>,
  ): Promise<ActionResult> {
    const event: AlertEvent = { id: `${id}:${partial.kind}:${randomUUID()}`, alertId: id, ...partial };
    if (event.note === undefined) delete event.note;
    const result = await this.transition(
      id,
      allowed,
      target,
      event,
      event.note ? { ...fields, ...noteFields(event.note, event.actor, event.at) } : fields,
    );
    if (result === 'missing') return { refused: 'not_found' };
    if (result !== 'ok') return { refused: 'conflict', state: result as AlertState };
    return { alert: (await this.get(id))!, event };
  }

  /** Records that a notification went out (re-notified events only add a history entry). */
  async recordNotified(id: string, event?: AlertEvent): Promise<void> {
    await this.transition(id, 'open,acknowledged,resolved', '', event, { lastNotifiedAt: new Date().toISOString() });
  }

  /**
   * Appends a notification entry (an escalation step, a delivery attempt) to the alert's history
   * in any state; `failure` (a delivery that failed for good) is also kept on the alert itself,
   * so lists show it without reading histories.
   */
  async recordNotification(id: string, entry: Omit<AlertEvent, 'alertId'>, failure?: string): Promise<void> {
    const fields: Record<string, string> = failure ? { deliveryFailedAt: entry.at, deliveryFailure: failure } : {};
    await this.transition(id, 'open,acknowledged,resolved', '', { ...entry, alertId: id }, fields);
  }

  private async transition(
    id: string,
    allowed: string,
    target: AlertState | '',
    event: AlertEvent | undefined,
    fields: Record<string, string>,
  ): Promise<string> {
    const k = this.keys;
    const [ruleId, deviceId] = await this.redis.hmget(k.alert(id), 'ruleId', 'deviceId');
    return (await this.transitionScript(
      [
        k.alert(id),
        k.history(id),
        k.byState('open'),
        k.byState('acknowledged'),
        k.byState('resolved'),
        k.byState('all'),
        k.current(ruleId ?? '', deviceId ?? ''),
        k.deviceOpen(deviceId ?? ''),
        k.renotify,
      ],
      [id, allowed, target, event ? encodeEvent(event) : '', ...flatten(fields)],
    )) as string;
  }

  async current(ruleId: string, deviceId: string): Promise<Alert | null> {
    const id = await this.redis.get(this.keys.current(ruleId, deviceId));
    return id ? this.get(id) : null;
  }

  async get(id: string): Promise<Alert | null> {
    return fromHash(await this.redis.hgetall(this.keys.alert(id)));
  }

  /** Several alerts in one round trip; unknown ids are left out. */
  async getMany(ids: readonly string[]): Promise<Alert[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.keys.alert(id));
    const results = (await pipeline.exec()) ?? [];
    return results
      .map(([, hash]) => fromHash((hash ?? {}) as Record<string, string>))
      .filter((a): a is Alert => a !== null);
  }

  /** Alerts per state, from the state indexes (one ZCARD each, one round trip). */
  async countByState(): Promise<Record<AlertState, number>> {
    const pipeline = this.redis.pipeline();
    for (const state of ALERT_STATES) pipeline.zcard(this.keys.byState(state));
    const results = (await pipeline.exec()) ?? [];
    return Object.fromEntries(ALERT_STATES.map((state, i) => [state, Number(results[i]?.[1] ?? 0)])) as Record<
      AlertState,
      number
    >;
  }

  /** Every transition of the alert, oldest first. */
  async history(id: string): Promise<AlertEvent[]> {
    return (await this.redis.lrange(this.keys.history(id), 0, -1)).map((json) => JSON.parse(json) as AlertEvent);
  }

  /** For the query and re-notification helpers of this library. */
  get keyNames(): AlertKeys {
    return this.keys;
  }
}

/** An operator's note is kept on the alert too (the latest one), so a list shows it without reading each history. */
function noteFields(note: string, actor: string, at: string): Record<string, string> {
  return { lastNote: note, lastNoteBy: actor, lastNoteAt: at };
}
