import { waitFor } from '@citypulse/testing';
import { TestCitypulse } from '../harness.js';
import { connectedSensor, createRule, historyKinds, waitForAlerts } from './alert-helpers.js';

/** Deadman through the scheduled BullMQ check: silent devices raise, fresh readings resolve, old ones do not. */
describe('deadman alerts', () => {
  let cp: TestCitypulse;

  beforeAll(async () => {
    cp = await TestCitypulse.start({ CP_ALERT_DEADMAN_INTERVAL_MS: '250' });
  });
  afterAll(async () => {
    await cp?.stop();
  });

  const deadmanRule = (deviceId: string, when: 'no-data' | 'offline' = 'no-data') => ({
    id: `silent-${when}-${deviceId}`,
    deviceType: 'env-sensor',
    scope: { deviceId },
    condition: { kind: 'deadman', afterSeconds: 2, when },
    severity: 'warning',
  });

  it('raises for a connected device that stopped reporting, ignores a backfilled reading, and resolves on a fresh one', async () => {
    const device = await connectedSensor(cp);
    await createRule(cp, deadmanRule(device.id));
    await device.publish({ co2: 500 });

    const [alert] = await waitForAlerts(cp, device.id, (a) => a.length === 1, 'the deadman alert', '&state=open');
    expect(alert).toMatchObject({
      ruleId: `silent-no-data-${device.id}`,
      ruleKind: 'deadman',
      field: '',
      cause: 'silent',
    });
    expect(alert.lastValue).toBeGreaterThanOrEqual(2);

    // A reading from an hour ago (a gateway's backfill) does not make the device alive again.
    await device.publish({ co2: 500 }, Date.now() - 3_600_000);
    await new Promise((r) => setTimeout(r, 800));
    expect((await cp.api('GET', `/alerts/${encodeURIComponent(alert.id)}`)).body.state).toBe('open');

    await device.publish({ co2: 500 });
    const [resolved] = await waitForAlerts(
      cp,
      device.id,
      (a) => a[0]?.state === 'resolved',
      'the deadman alert resolved',
    );
    expect(resolved.resolvedBy).toBe('rule');
    expect(await historyKinds(cp, alert.id)).toEqual(['raised', 'resolved']);
    await device.client.endAsync();
  });

  it('tells a disconnected device from a silent one, and an offline rule clears on reconnect', async () => {
    const device = await connectedSensor(cp);
    await createRule(cp, deadmanRule(device.id, 'offline'));
    await device.publish({ co2: 500 });
    await device.client.endAsync();

    const [alert] = await waitForAlerts(cp, device.id, (a) => a.length === 1, 'the offline alert', '&state=open');
    expect(alert).toMatchObject({ cause: 'disconnected', ruleId: `silent-offline-${device.id}` });

    const again = await cp.connectDevice(device.id, device.secret);
    const [cleared] = await waitForAlerts(
      cp,
      device.id,
      (a) => a[0]?.state === 'resolved',
      'the offline alert cleared by reconnecting, before any reading',
    );
    expect(cleared.id).toBe(alert.id);
    await again.endAsync();
  });

  it('sees a rule change at the next check: a deadman rule added for an already silent device raises', async () => {
    const device = await connectedSensor(cp);
    await device.publish({ co2: 500 }, Date.now() - 10_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(await waitForAlerts(cp, device.id, () => true, 'no alert yet')).toHaveLength(0);
    await createRule(cp, deadmanRule(device.id));
    await waitForAlerts(
      cp,
      device.id,
      (a) => a.length === 1 && a[0].cause === 'silent',
      'the deadman alert after the rule change',
    );
    await device.client.endAsync();
  });

  it('lists overdue devices as late, silent or disconnected against their type’s reporting interval', async () => {
    // env-sensor reports every 60 s: late after 90 s, silent after its 300 s deadman window.
    const late = await connectedSensor(cp);
    const silent = await connectedSensor(cp);
    const gone = await connectedSensor(cp);
    const fresh = await connectedSensor(cp);
    await late.publish({ co2: 500 }, Date.now() - 100_000);
    await silent.publish({ co2: 500 }, Date.now() - 400_000);
    await gone.publish({ co2: 500 }, Date.now() - 100_000);
    await fresh.publish({ co2: 500 });
    await gone.client.endAsync();
    const statuses = await waitFor(
      async () =>
        Object.fromEntries(
          (await cp.api('GET', '/deadman/overdue')).body.items.map((d: any) => [d.deviceId, d.status]),
        ),
      (s: Record<string, string>) =>
        s[late.id] === 'late' && s[silent.id] === 'silent' && s[gone.id] === 'disconnected',
      { what: 'the three overdue devices told apart' },
    );
    expect(statuses[fresh.id]).toBeUndefined();
    const overdue = (await cp.api('GET', '/deadman/overdue')).body.items.map((d: any) => d.deviceId);
    expect((await cp.api('GET', '/deadman/overdue?limit=2&offset=1')).body.items.map((d: any) => d.deviceId)).toEqual(
      overdue.slice(1, 3),
    );
    await Promise.all([late.client.endAsync(), silent.client.endAsync(), fresh.client.endAsync()]);
  });
});
