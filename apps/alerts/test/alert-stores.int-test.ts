import type { AppConfig } from '@citypulse/config';
import type { RedisClient } from '@citypulse/redis';
import {
  AlertStore,
  AuditLog,
  LastSeenIndex,
  claimDueReminders,
  countAlerts,
  queryAlerts,
  type RaiseAlert,
} from '@citypulse/alert-store';
import { RuleRepository } from '@citypulse/alert-config';
import { DeadLetterStore } from '@citypulse/rejections';
import { REDIS_FLAVOURS, flushPrefix, testConfig, testRedis } from '@citypulse/testing';
import { RuleStateRepository } from '../src/rule-state-repository.js';
import { DeletedDevices } from '../src/deleted-devices.js';
import { RegistryKeys } from '@citypulse/registry';
import { createLogger } from '@citypulse/observability';
import { ruleStateKey } from '@citypulse/alert-store';
import { waitFor } from '@citypulse/testing';

/**
 * The alerting side's stores on one Redis and on a Redis Cluster: every script, MULTI and WATCH
 * of theirs runs here, so a key outside its group's hash tag fails with CROSSSLOT on the cluster.
 */
describe.each(REDIS_FLAVOURS)('alert stores on $name', (flavour) => {
  let config: AppConfig;
  let redis: RedisClient;
  let stateRedis: RedisClient;
  let alerts: AlertStore;

  const breach = (deviceId: string, severity: RaiseAlert['severity'], atMs: number): RaiseAlert => ({
    ruleId: `co2-${severity}`,
    ruleKind: 'threshold',
    deviceId,
    deviceType: 'env-sensor',
    city: 'beijing',
    site: 'bj-1',
    field: 'co2',
    severity,
    description: 'CO2 high',
    atMs,
    value: 1500,
    renotifySeconds: 60,
  });

  beforeAll(() => {
    config = testConfig(flavour.env());
    redis = testRedis(config);
    stateRedis = testRedis(config, 'test-state');
    alerts = new AlertStore(redis, config.redis.prefix);
  });
  afterAll(async () => {
    redis.disconnect();
    stateRedis.disconnect();
    await flushPrefix(config);
  });

  it('raises, escalates, acknowledges, queries, reminds and resolves alerts', async () => {
    const t0 = Date.now() - 120_000;
    const warning = await alerts.raise(breach('dev-1', 'warning', t0));
    expect(warning.created).toBe(true);
    expect((await alerts.raise(breach('dev-1', 'warning', t0))).created).toBe(false);
    const critical = await alerts.raise(breach('dev-1', 'critical', t0 + 1000));
    expect(critical.events.map((e) => e.kind)).toEqual(['raised', 'escalated']);
    expect((await alerts.get(warning.alert.id))?.escalatedTo).toBe(critical.alert.id);
    expect(await alerts.acknowledge(warning.alert.id, 'ops')).toMatchObject({ alert: { state: 'acknowledged' } });
    expect(
      (await queryAlerts(redis, alerts, alerts.keyNames, { state: 'open', city: 'beijing' })).items.map((a) => a.id),
    ).toEqual([critical.alert.id]);
    const reminders = await claimDueReminders(redis, alerts, alerts.keyNames, Date.now());
    expect(reminders.map((r) => r.alert.id)).toContain(critical.alert.id);
    expect((await alerts.resolve(critical.alert.id, Date.now(), 400))?.alert.state).toBe('resolved');
    expect(await alerts.current('co2-critical', 'dev-1')).toBeNull();
    expect(await alerts.countByState()).toMatchObject({ open: 0, acknowledged: 1, resolved: 1 });
    expect((await alerts.history(critical.alert.id)).map((e) => e.kind)).toEqual(
      expect.arrayContaining(['raised', 'escalated', 'resolved']),
    );
  });

  it('lists most severe first, the active (not resolved) alerts, one site, counts per severity and state, and keeps the latest note', async () => {
    const t0 = Date.now() - 600_000;
    const raise = (deviceId: string, severity: RaiseAlert['severity'], atMs: number, site = 'bj-order') =>
      alerts.raise({
        ...breach(deviceId, severity, atMs),
        ruleId: `order-${severity}-${deviceId}`,
        city: 'chengde',
        site,
      });
    const oldCritical = await raise('ord-1', 'critical', t0);
    const warnings = await Promise.all([1, 2, 3].map((i) => raise(`ord-w${i}`, 'warning', t0 + i * 1000)));
    const info = await raise('ord-i', 'info', t0 + 5000, 'bj-other');
    expect(await alerts.acknowledge(warnings[0].alert.id, 'ops', 'looking')).toMatchObject({
      alert: { lastNote: 'looking', lastNoteBy: 'ops' },
    });
    await alerts.resolve(warnings[1].alert.id, Date.now(), 400, 'ops', 'fixed');
    expect(await alerts.get(warnings[1].alert.id)).toMatchObject({
      state: 'resolved',
      lastNote: 'fixed',
      lastNoteBy: 'ops',
    });

    const ids = async (q: Parameters<typeof queryAlerts>[3]) =>
      (await queryAlerts(redis, alerts, alerts.keyNames, q)).items.map((a) => a.id);
    const [w1, w2, w3] = warnings.map((w) => w.alert.id);
    expect(await ids({ city: 'chengde' })).toEqual([info.alert.id, w3, w2, w1, oldCritical.alert.id]);
    expect(await ids({ city: 'chengde', order: 'severity' })).toEqual([
      oldCritical.alert.id,
      w3,
      w2,
      w1,
      info.alert.id,
    ]);
    expect(await ids({ city: 'chengde', state: 'active', order: 'severity' })).toEqual([
      oldCritical.alert.id,
      w3,
      w1,
      info.alert.id,
    ]);
    expect(await ids({ city: 'chengde', site: 'bj-other' })).toEqual([info.alert.id]);
    const page = await queryAlerts(redis, alerts, alerts.keyNames, {
      city: 'chengde',
      order: 'severity',
      limit: 2,
      offset: 1,
    });
    expect(page).toMatchObject({ total: 5, more: true });
    expect(page.items.map((a) => a.id)).toEqual([w3, w2]);
    // Without a city the two not-resolved state indexes are read.
    expect(await ids({ state: 'active', order: 'severity', cities: ['chengde'] })).toEqual([
      oldCritical.alert.id,
      w3,
      w1,
      info.alert.id,
    ]);

    expect(await countAlerts(redis, alerts.keyNames, { city: 'chengde' })).toEqual({
      critical: { open: 1, acknowledged: 0, resolved: 0 },
      warning: { open: 1, acknowledged: 1, resolved: 1 },
      info: { open: 1, acknowledged: 0, resolved: 0 },
    });
    expect((await countAlerts(redis, alerts.keyNames, { cities: ['chengde'], site: 'bj-other' })).info.open).toBe(1);
    // Only the not-resolved ones, read from the state indexes rather than the city's history.
    expect((await countAlerts(redis, alerts.keyNames, { city: 'chengde', state: 'active' })).warning).toEqual({
      open: 1,
      acknowledged: 1,
      resolved: 0,
    });
    expect((await countAlerts(redis, alerts.keyNames, { cities: [] })).warning.open).toBe(0);
  });

  it('updates the rule state of many devices in one optimistic transaction and clears outboxes', async () => {
    const states = new RuleStateRepository(stateRedis, config.redis.prefix);
    const devices = Array.from({ length: 20 }, (_, i) => `dev-${i}`);
    const transition = { kind: 'raise', alertId: 'a' } as never;
    const outboxes = await states.updateMany(devices, () => ({
      states: { r1: { rule: { phase: 'pending', lastEventMs: 1, count: 0 } } },
      outbox: [transition],
    }));
    expect([...outboxes.values()].every((o) => o.length === 1)).toBe(true);
    await states.clearOutbox('dev-3', [transition]);
    const seen = new Map<string, number>();
    await states.updateMany(devices, (id, current) => {
      seen.set(id, current.outbox.length);
      expect(current.states.r1.rule.phase).toBe('pending');
      return current;
    });
    expect(seen.get('dev-3')).toBe(0);
    expect(seen.get('dev-4')).toBe(1);
  });

  it('forgets a deleted device: its rule state and last-seen entry go, and a late rule job does not bring them back', async () => {
    const prefix = config.redis.prefix;
    const states = new RuleStateRepository(stateRedis, prefix);
    const lastSeen = new LastSeenIndex(redis, prefix);
    const deleted = new DeletedDevices(config, createLogger('silent', 'test'));
    await deleted.onApplicationBootstrap();
    try {
      const decide = (id: string) => (deleted.has(id) ? undefined : { states: {}, outbox: [] });
      await states.updateMany(['gone-1', 'kept-1'], decide);
      await lastSeen.touch([{ deviceId: 'gone-1', newestMs: Date.now() }]);
      expect(await redis.exists(ruleStateKey(prefix, 'gone-1'))).toBe(1);

      // What the registry's delete publishes from its Lua script.
      await redis.publish(
        new RegistryKeys(prefix).controlChannel,
        JSON.stringify({ kind: 'deleted', deviceId: 'gone-1' }),
      );
      await waitFor(
        async () => redis.exists(ruleStateKey(prefix, 'gone-1')),
        (n) => n === 0,
        { what: "the deleted device's rule state removed" },
      );
      expect(deleted.has('gone-1')).toBe(true);
      expect(await lastSeen.get(['gone-1'])).toEqual([undefined]);
      // A job with readings taken before the deletion: the deleted device is skipped, the other stored.
      const outboxes = await states.updateMany(['gone-1', 'kept-1'], decide);
      expect([...outboxes.keys()]).toEqual(['kept-1']);
      expect(await redis.exists(ruleStateKey(prefix, 'gone-1'), ruleStateKey(prefix, 'kept-1'))).toBe(1);
    } finally {
      deleted.onApplicationShutdown();
    }
  });

  it('keeps operator rules with a version, rejections with counters, the audit log and last-seen times', async () => {
    const rules = new RuleRepository(redis, config.redis.prefix);
    const before = await rules.version();
    await rules.put({
      id: 'r-1',
      deviceType: 'env-sensor',
      field: 'co2',
      condition: { kind: 'above', threshold: 1000 },
      forSeconds: 0,
      severity: 'warning',
      enabled: true,
    });
    expect(await rules.version()).not.toBe(before);
    expect(await rules.remove('r-1')).toBe(true);

    const rejections = new DeadLetterStore(redis, config.redis.prefix);
    await rejections.add(
      {
        deviceId: 'dev-9',
        topic: 't',
        receivedAt: new Date().toISOString(),
        rejected: [{ reason: 'malformed_json', detail: 'not JSON' }],
      },
      Buffer.from('{oops'),
    );
    expect(await rejections.counts()).toEqual({ byDevice: { 'dev-9': 1 }, byReason: { malformed_json: 1 } });

    const audit = new AuditLog(redis, config.redis.prefix);
    await audit.record({ actor: 'ops', action: 'rule.delete', target: 'rule:r-1' });
    expect((await audit.list({ actor: 'ops' })).items.map((e) => e.target)).toEqual(['rule:r-1']);
    await audit.recordMany([
      { actor: 'alice (token ops)', action: 'alert.acknowledged', target: 'alert:a-1' },
      { actor: 'admin', action: 'device.revoke', target: 'device:bj-env-1' },
    ]);
    expect(await audit.list({ actor: 'OPS', limit: 1 })).toEqual({
      items: [expect.objectContaining({ target: 'alert:a-1' })],
      total: 2,
    });
    expect((await audit.list({ actor: 'alice' })).items.map((e) => e.target)).toEqual(['alert:a-1']);
    expect((await audit.list({ target: 'devices/bj-' })).items.map((e) => e.action)).toEqual(['device.revoke']);

    const lastSeen = new LastSeenIndex(redis, config.redis.prefix);
    await lastSeen.touch([{ deviceId: 'dev-9', newestMs: 1000 }], 2000);
    expect(await lastSeen.get(['dev-9', 'dev-none'])).toEqual([1000, undefined]);
  });
});
