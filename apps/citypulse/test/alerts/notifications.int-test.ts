import { createHmac, timingSafeEqual } from 'node:crypto';
import { waitFor } from '@citypulse/testing';
import { TestCitypulse } from '../harness.js';
import { WebhookReceiver, type ReceivedDelivery } from './webhook-receiver.js';
import { connectedSensor, createRule, waitForAlerts } from './alert-helpers.js';

/** What a receiver must do: recompute the HMAC over "{timestamp}.{body}" and compare in constant time. */
function signatureValid(delivery: ReceivedDelivery, secret: string): boolean {
  const timestamp = String(delivery.headers['x-citypulse-timestamp']);
  const expected = Buffer.from(
    `sha256=${createHmac('sha256', secret).update(`${timestamp}.${delivery.body}`).digest('hex')}`,
  );
  const given = Buffer.from(String(delivery.headers['x-citypulse-signature']));
  return expected.length === given.length && timingSafeEqual(expected, given);
}

describe('webhook notifications', () => {
  let cp: TestCitypulse;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    // The receivers listen on loopback: allowed explicitly (refused by default).
    cp = await TestCitypulse.start({
      CP_NOTIFY_ATTEMPTS: '4',
      CP_NOTIFY_BACKOFF_MS: '100',
      CP_WEBHOOK_ALLOW_PRIVATE: 'true',
    });
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.stop()));
    await cp?.stop();
  });

  async function receiver(statuses: number[]): Promise<WebhookReceiver> {
    const r = await WebhookReceiver.start(statuses);
    receivers.push(r);
    return r;
  }

  async function breachingDevice(city: string) {
    const device = await connectedSensor(cp, city);
    await createRule(cp, {
      id: `co2-${device.id}`,
      deviceType: 'env-sensor',
      scope: { deviceId: device.id },
      field: 'co2',
      condition: { kind: 'above', threshold: 1000 },
      severity: 'critical',
    });
    return device;
  }

  it('retries a failing receiver with backoff until it answers, every attempt signed over timestamp and body', async () => {
    const hook = await receiver([503, 500, 200]);
    const secret = 'a-shared-secret-of-enough-length';
    const created = await cp.api('POST', '/webhooks', {
      id: 'ops-critical',
      url: hook.url,
      secret,
      severities: ['critical'],
      cities: ['harbin'],
      events: ['raised'],
    });
    expect(created.status).toBe(201);

    const device = await breachingDevice('harbin');
    await device.publish({ co2: 1500 });
    await waitFor(
      () => hook.received.length,
      (n) => n >= 3,
      { what: 'three delivery attempts', timeoutMs: 20_000 },
    );

    expect(hook.received.map((d) => d.status)).toEqual([503, 500, 200]);
    for (const delivery of hook.received) expect(signatureValid(delivery, secret)).toBe(true);
    expect(
      signatureValid({ ...hook.received[0], body: hook.received[0].body.replace('critical', 'info') }, secret),
    ).toBe(false);
    const message = JSON.parse(hook.received[2].body);
    expect(message).toMatchObject({
      event: { kind: 'raised', actor: 'rule' },
      alert: { deviceId: device.id, city: 'harbin', severity: 'critical', state: 'open' },
    });
    // One delivery id for every retry of one message; timestamps are fresh per attempt.
    expect(new Set(hook.received.map((d) => d.headers['x-citypulse-delivery'])).size).toBe(1);
    // Exponential backoff: at least 100 ms, then at least 200 ms between attempts (lower bounds only).
    const [a, b, c] = hook.received.map((d) => d.at);
    expect(b - a).toBeGreaterThanOrEqual(95);
    expect(c - b).toBeGreaterThanOrEqual(195);
    await new Promise((r) => setTimeout(r, 500));
    expect(hook.received).toHaveLength(3);
    const [alert] = await waitForAlerts(
      cp,
      device.id,
      (a) => a[0]?.lastNotifiedAt !== undefined,
      'the alert marked notified',
    );
    expect(alert.state).toBe('open');
    await device.client.endAsync();
  });

  it('keeps a delivery that used up its attempts as failed, and retries it on request once the receiver is fixed', async () => {
    const hook = await receiver([500]);
    await cp.api('POST', '/webhooks', { id: 'ops-broken', url: hook.url, cities: ['dalian'] });
    const device = await breachingDevice('dalian');
    await device.publish({ co2: 1500 });

    const failed = await waitFor(
      async () =>
        (await cp.api('GET', '/queues/notifications/jobs?state=failed')).body.items.filter(
          (j: any) => j.data.webhookId === 'ops-broken',
        ),
      (jobs: any[]) => jobs.length === 1,
      { what: 'the failed delivery kept', timeoutMs: 20_000 },
    );
    expect(failed[0]).toMatchObject({ attemptsMade: 4, failedReason: 'HTTP 500' });
    const allFailed = (await cp.api('GET', '/queues/notifications/jobs?state=failed')).body.items.map((j: any) => j.id);
    expect(
      (await cp.api('GET', '/queues/notifications/jobs?state=failed&offset=1')).body.items.map((j: any) => j.id),
    ).toEqual(allFailed.slice(1));
    expect(hook.received).toHaveLength(4);

    hook.statuses = [204];
    const retried = await cp.api('POST', `/queues/notifications/jobs/${encodeURIComponent(failed[0].id)}/retry`);
    expect(retried.status).toBe(200);
    await waitFor(
      () => hook.received.length,
      (n) => n === 5,
      { what: 'the retried delivery' },
    );
    expect(hook.received[4].status).toBe(204);
    const audit = (await cp.api('GET', '/audit?actor=admin')).body.items.map((e: any) => e.action);
    expect(audit).toEqual(expect.arrayContaining(['job.retry', 'webhook.create']));
    expect((await cp.api('GET', '/audit?actor=admin&limit=1&offset=1')).body.items.map((e: any) => e.action)).toEqual([
      audit[1],
    ]);
    await device.client.endAsync();
  });

  it('refuses a webhook without a valid URL, naming the field', async () => {
    const { status, body } = await cp.api('POST', '/webhooks', { id: 'bad', url: 'ftp://example' });
    expect(status).toBe(400);
    expect(body.fields).toEqual([expect.objectContaining({ field: 'url' })]);
  });
});
