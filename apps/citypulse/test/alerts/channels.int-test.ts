import { createHmac, randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { Redis } from 'ioredis';
import { ApiTokenStore } from '@citypulse/registry';
import { mattermostMessageProblems, slackMessageProblems, teamsMessageProblems, waitFor } from '@citypulse/testing';
import { onDuty } from '@citypulse/alert-config';
import { TestCitypulse } from '../harness.js';
import { Scrape } from '../observability/scrape.js';
import { WebhookReceiver } from './webhook-receiver.js';
import { SmtpSink, type ReceivedMail } from './smtp-sink.js';
import { connectedSensor, createRule, waitForAlerts, type TestDevice } from './alert-helpers.js';
import { DESKTOP, launchChromium, openContext, pageErrors, screenshot, signIn } from '../console/console-browser.js';

const CONSOLE_URL = 'https://console.example.org/console';
const SMTP_LOGIN = { user: 'citypulse-mailer', password: `smtp-${randomBytes(6).toString('hex')}` };
const CITY = 'xian';
const SECRETS_KEY = randomBytes(32).toString('hex');

/**
 * Each product's documented incoming-webhook schema (libs/testing/src/chat-schemas.ts): no problems, links to the
 * alert.
 */
function expectSlackSchema(body: unknown, link: string): void {
  expect(slackMessageProblems(body, link)).toEqual([]);
}

function expectTeamsSchema(body: unknown, link: string): void {
  expect(teamsMessageProblems(body, link)).toEqual([]);
}

function expectMattermostSchema(body: unknown, link: string): void {
  expect(mattermostMessageProblems(body, link)).toEqual([]);
}

const SETTINGS = {
  CP_NOTIFY_ATTEMPTS: '3',
  CP_NOTIFY_BACKOFF_MS: '50',
  CP_WEBHOOK_ALLOW_PRIVATE: 'true',
  CP_SECRETS_KEY: SECRETS_KEY,
  CP_CONSOLE_URL: CONSOLE_URL,
};

describe('notification channels and escalation', () => {
  let cp: TestCitypulse;
  let smtp: SmtpSink;
  let redis: Redis;
  const receivers: Record<string, WebhookReceiver> = {};
  const devices: TestDevice[] = [];
  /** The alert whose delivery failed for good (third test), for the console's check. */
  let failedAlert: { id: string; deviceId: string } | undefined;

  beforeAll(async () => {
    smtp = await SmtpSink.start(SMTP_LOGIN.user, SMTP_LOGIN.password);
    for (const name of ['slack', 'teams', 'mattermost', 'lead', 'broken'])
      receivers[name] = await WebhookReceiver.start([name === 'broken' ? 500 : 200]);
    // Receivers and the SMTP server listen on loopback: allowed explicitly (refused by default).
    cp = await TestCitypulse.start(SETTINGS);
    redis = new Redis(cp.config.redis.url);
  });
  afterAll(async () => {
    await Promise.all(devices.map((d) => d.client.endAsync()));
    redis?.disconnect();
    await cp?.stop();
    await Promise.all(Object.values(receivers).map((r) => r.stop()));
    await smtp?.stop();
  });

  const smtpSettings = (to: string[]) => ({
    host: '127.0.0.1',
    port: smtp.port,
    user: SMTP_LOGIN.user,
    password: SMTP_LOGIN.password,
    from: 'citypulse <alerts@example.org>',
    to,
  });

  async function createChannel(body: Record<string, unknown>, city = CITY): Promise<any> {
    const { status, body: created } = await cp.api('POST', `/cities/${city}/channels`, body);
    if (status !== 201) throw new Error(`POST channel ${String(body.id)}: ${status} ${JSON.stringify(created)}`);
    return created;
  }

  async function breachingDevice(severity: string, description?: string): Promise<TestDevice> {
    const device = await connectedSensor(cp, CITY);
    devices.push(device);
    await createRule(cp, {
      id: `co2-${device.id}`,
      deviceType: 'env-sensor',
      scope: { deviceId: device.id },
      field: 'co2',
      condition: { kind: 'above', threshold: 1000 },
      severity,
      ...(description !== undefined && { description }),
    });
    return device;
  }

  it('keeps a city’s channels to its admins, secrets sealed at rest and masked when read, every change audited', async () => {
    await createChannel({
      id: 'email-ops',
      kind: 'email',
      email: smtpSettings(['ops@example.org', 'duty@example.org']),
    });
    const slackCreated = await createChannel({ id: 'slack-ops', kind: 'slack', url: receivers.slack.url });
    await createChannel({ id: 'teams-ops', kind: 'teams', url: receivers.teams.url });
    await createChannel({ id: 'mm-ops', kind: 'mattermost', url: receivers.mattermost.url });
    await createChannel({ id: 'slack-lead', kind: 'slack', url: receivers.lead.url });

    const read = await cp.api('GET', `/cities/${CITY}/channels/slack-ops`);
    expect(read.status).toBe(200);
    expect(read.body.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\*+$/);
    expect(JSON.stringify(read.body)).not.toContain('/hook');
    const email = (await cp.api('GET', `/cities/${CITY}/channels`)).body.items.find((c: any) => c.id === 'email-ops');
    expect(email.email).toMatchObject({
      host: '127.0.0.1',
      user: SMTP_LOGIN.user,
      password: '********',
      to: ['ops@example.org', 'duty@example.org'],
    });
    // At rest: neither the chat URL nor the SMTP password is in Redis in the clear.
    const stored = Object.values(await redis.hgetall(`${cp.config.redis.prefix}:channels:${CITY}`)).join('\n');
    expect(stored).not.toContain(receivers.slack.url);
    expect(stored).not.toContain(SMTP_LOGIN.password);

    // No answer gives a secret back: not the create, not a replace, not a webhook's signing secret once given.
    expect(slackCreated.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\*+$/);
    const replaced = await cp.api('PUT', `/cities/${CITY}/channels/slack-ops`, {
      id: 'slack-ops',
      kind: 'slack',
      name: 'ops chat',
      url: receivers.slack.url,
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ name: 'ops chat', url: slackCreated.url });
    const replacedMail = await cp.api('PUT', `/cities/${CITY}/channels/email-ops`, {
      id: 'email-ops',
      kind: 'email',
      email: smtpSettings(['ops@example.org', 'duty@example.org']),
    });
    expect(replacedMail.body.email.password).toBe('********');
    const signingSecret = `whsec-${randomBytes(12).toString('hex')}`;
    const hookUrl = `${receivers.lead.url}/signed-path`;
    const signed = await createChannel({ id: 'hook-secret', kind: 'webhook', url: hookUrl, signingSecret });
    // A reference names a variable of the alerts process, never its value.
    const byReference = await createChannel({
      id: 'slack-ref',
      kind: 'slack',
      url: 'env:CP_CHANNEL_SECRET_XIAN_SLACK',
    });
    expect(byReference.url).toBe('env:CP_CHANNEL_SECRET_XIAN_SLACK');
    const reads = [
      signed,
      (await cp.api('GET', `/cities/${CITY}/channels/hook-secret`)).body,
      (await cp.api('GET', `/cities/${CITY}/channels?limit=100`)).body,
      (await cp.api('GET', `/cities/${CITY}/channels/slack-ref`)).body,
    ];
    expect(reads[1].signingSecret).toBe('********');
    for (const read of [...reads, replaced.body, replacedMail.body]) {
      const text = JSON.stringify(read);
      for (const secret of [signingSecret, 'signed-path', receivers.slack.url, SMTP_LOGIN.password])
        expect(text).not.toContain(secret);
    }
    // Only a signing secret citypulse generated is shown, once, in the answer that created it.
    const generated = await createChannel({ id: 'hook-generated', kind: 'webhook', url: hookUrl });
    expect(generated.signingSecret).toMatch(/^[\w-]{43}$/);
    expect((await cp.api('GET', `/cities/${CITY}/channels/hook-generated`)).body.signingSecret).toBe('********');
    for (const id of ['hook-secret', 'hook-generated', 'slack-ref'])
      expect((await cp.api('DELETE', `/cities/${CITY}/channels/${id}`)).status).toBe(204);

    // Another city's admin: 404 on everything of xian, as if it did not exist; an operator of xian reads but may not
    // change.
    const chengdu = await cp.issueToken('chengdu-admin', 'admin', ['chengdu']);
    expect((await cp.api('GET', `/cities/${CITY}/channels/slack-ops`, undefined, chengdu)).status).toBe(404);
    expect((await cp.api('GET', `/cities/${CITY}/channels`, undefined, chengdu)).status).toBe(404);
    expect((await cp.api('DELETE', `/cities/${CITY}/channels/slack-ops`, undefined, chengdu)).status).toBe(404);
    expect(
      (
        await cp.api(
          'PUT',
          `/cities/${CITY}/escalation-policies/critical`,
          { levels: [{ afterSeconds: 0, channels: [] }] },
          chengdu,
        )
      ).status,
    ).toBe(404);
    expect((await cp.api('POST', '/cities/chengdu/channels', { id: 'cd-mqtt', kind: 'mqtt' }, chengdu)).status).toBe(
      201,
    );
    const operator = await cp.issueToken('xian-operator', 'operator', [CITY]);
    expect((await cp.api('GET', `/cities/${CITY}/channels/slack-ops`, undefined, operator)).status).toBe(200);
    expect((await cp.api('POST', `/cities/${CITY}/channels`, { id: 'x', kind: 'mqtt' }, operator)).status).toBe(403);

    // Bad input: a 400 naming each field.
    const noRecipients = await cp.api('POST', `/cities/${CITY}/channels`, {
      id: 'bad-mail',
      kind: 'email',
      email: { ...smtpSettings([]), to: [] },
    });
    expect(noRecipients.status).toBe(400);
    expect(noRecipients.body.fields).toEqual([expect.objectContaining({ field: 'email.to' })]);
    expect((await cp.api('POST', `/cities/${CITY}/channels`, { id: 'bad', kind: 'slack' })).body.fields).toEqual([
      expect.objectContaining({ field: 'url' }),
    ]);
    expect((await cp.api('POST', `/cities/${CITY}/channels`, { id: 'bad', kind: 'pager' })).body.fields).toEqual([
      expect.objectContaining({ field: 'kind' }),
    ]);
    const unknownChannel = await cp.api('PUT', `/cities/${CITY}/escalation-policies/critical`, {
      levels: [{ afterSeconds: 0, channels: ['cd-mqtt'] }],
    });
    expect(unknownChannel.body.fields).toEqual([expect.objectContaining({ field: 'levels.0.channels' })]);
    const badZone = await cp.api('PUT', `/cities/${CITY}/escalation-policies/critical`, {
      levels: [{ afterSeconds: 0, channels: [] }],
      onCall: {
        channel: 'email-ops',
        people: [{ name: 'A', email: 'a@example.org' }],
        startDate: '2026-01-05',
        timeZone: 'Mars/Olympus',
      },
    });
    expect(badZone.body.fields).toEqual([expect.objectContaining({ field: 'onCall.timeZone' })]);

    const audit = (await cp.api('GET', '/audit?target=channel:')).body.items.map(
      (e: any) => `${e.actor} ${e.action} ${e.target}`,
    );
    expect(audit).toEqual(
      expect.arrayContaining([
        'admin channel.create channel:xian/slack-ops',
        'admin channel.update channel:xian/slack-ops',
        'chengdu-admin channel.create channel:chengdu/cd-mqtt',
      ]),
    );
    const auditText = JSON.stringify((await cp.api('GET', '/audit?target=channel:')).body);
    for (const secret of [receivers.slack.url, SMTP_LOGIN.password, signingSecret])
      expect(auditText).not.toContain(secret);
  });

  it('e-mails and chats level 1 at once, escalates an unacknowledged critical alert to level 2 and on call after its delay, repeats, and stops once acknowledged', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const onCall = {
      channel: 'email-ops',
      people: [
        { name: 'Ana', email: 'ana@example.org' },
        { name: 'Bo', email: 'bo@example.org' },
      ],
      startDate: today,
      timeZone: 'Asia/Shanghai',
    };
    const put = await cp.api('PUT', `/cities/${CITY}/escalation-policies/critical`, {
      levels: [
        { afterSeconds: 0, channels: ['email-ops', 'slack-ops', 'teams-ops', 'mm-ops'] },
        { afterSeconds: 0.8, channels: ['slack-lead'], onCall: true },
      ],
      repeatSeconds: 0.4,
      maxRepeats: 50,
      onCall,
    });
    expect(put.status).toBe(200);

    // Markup in a description: each chat schema check also checks it is escaped (Slack mrkdwn).
    const device = await breachingDevice('critical', 'CO2 <dangerous> & rising');
    await device.publish({ co2: 1600 });
    const [alert] = await waitForAlerts(cp, device.id, (a) => a.length === 1, 'the critical alert');
    const link = `${CONSOLE_URL}/#/alert/${encodeURIComponent(alert.id)}`;

    const toOps = (m: ReceivedMail) => m.to.includes('ops@example.org') && m.decoded.includes(alert.id.split(':')[1]);
    const mail = await waitFor(() => smtp.received.find(toOps), Boolean, { what: 'the e-mail at the SMTP server' });
    expect(mail!).toMatchObject({
      from: 'alerts@example.org',
      to: ['ops@example.org', 'duty@example.org'],
      user: SMTP_LOGIN.user,
    });
    expect(mail!.decoded).toMatch(/^Subject: \[CRITICAL\] CO2 <dangerous> & rising - /m);
    expect(mail!.decoded).toContain(link);
    expect(mail!.decoded).toContain(`<a href="${link}">`);

    for (const name of ['slack', 'teams', 'mattermost'])
      await waitFor(
        () => receivers[name].received.length,
        (n) => n >= 1,
        { what: `the ${name} message` },
      );
    expectSlackSchema(JSON.parse(receivers.slack.received[0].body), link);
    expectTeamsSchema(JSON.parse(receivers.teams.received[0].body), link);
    expectMattermostSchema(JSON.parse(receivers.mattermost.received[0].body), link);
    expect(receivers.slack.received[0].headers['content-type']).toBe('application/json');
    expect(JSON.parse(receivers.slack.received[0].body).text).toContain('CO2 &lt;dangerous&gt; &amp; rising');
    // The delivery jobs the queue API shows hold no secret either (channel ids, not settings).
    const jobsText = await waitFor(
      async () =>
        JSON.stringify((await cp.api('GET', '/queues/channel-deliveries/jobs?state=completed&limit=100')).body),
      (text) => text.includes('"slack-ops"') && text.includes('"teams-ops"'),
      { what: 'the completed slack and teams delivery jobs' },
    );
    for (const secret of [receivers.slack.url, receivers.teams.url, SMTP_LOGIN.password])
      expect(jobsText).not.toContain(secret);

    // Nobody acknowledged: level 2 (the lead's chat and whoever is on call) after its delay, not before.
    await waitFor(
      () => receivers.lead.received.length,
      (n) => n >= 1,
      { what: 'level 2' },
    );
    const person = onDuty(onCall, Date.now());
    // The rotation started at Shanghai's midnight of today's UTC date (never ahead of now): Ana's first week.
    expect(person.email).toBe('ana@example.org');
    await waitFor(() => smtp.received.find((m) => m.to.join() === person.email && m.decoded.includes(link)), Boolean, {
      what: `the on-call e-mail to ${person.email}`,
    });
    await waitFor(
      () => receivers.lead.received.length,
      (n) => n >= 2,
      { what: 'a repeat of level 2' },
    );
    // Level 1 was not notified again.
    expect(receivers.slack.received).toHaveLength(1);

    expect((await cp.api('POST', `/alerts/${encodeURIComponent(alert.id)}/acknowledge`, { by: 'alice' })).status).toBe(
      200,
    );
    const afterAck = receivers.lead.received.length;
    // The step that comes due after the acknowledgement stops there and schedules nothing.
    const stopped: any = await waitFor<any>(
      async () =>
        (await cp.api('GET', '/queues/escalations/jobs?state=completed&limit=100')).body.items.find(
          (j: any) => j.data.alertId === alert.id && j.returnValue === 'stopped: acknowledged',
        ),
      Boolean,
      { what: 'an escalation step stopped by the acknowledgement' },
    );
    const laterSteps = (await cp.api('GET', '/queues/escalations/jobs?state=delayed&limit=100')).body.items.filter(
      (j: any) => j.data.alertId === alert.id && j.data.step > stopped.data.step,
    );
    expect(laterSteps).toEqual([]);
    // At most a delivery that was already queued before the acknowledgement arrives; none after the stop.
    expect(receivers.lead.received.length).toBeLessThanOrEqual(afterAck + 1);

    const history = (await cp.api('GET', `/alerts/${encodeURIComponent(alert.id)}/history`)).body.items;
    const stepEvents = history.filter((e: any) => e.kind === 'escalation-step');
    const steps = stepEvents.map((e: any) => e.detail);
    expect(steps[0]).toBe('level 1 of 2: email-ops, slack-ops, teams-ops, mm-ops');
    expect(steps[1]).toBe(`level 2 of 2: slack-lead, email-ops → on call ${person.email}`);
    // Level 2 after its delay, not before: 0.8 s after level 1 (both times from the alerts process's clock; the
    // test's own clock saw the alert only when its poll did, so it cannot time this).
    expect(Date.parse(stepEvents[1].at) - Date.parse(stepEvents[0].at)).toBeGreaterThanOrEqual(800);
    expect(Date.parse(stepEvents[0].at)).toBeGreaterThanOrEqual(Date.parse(alert.openedAt));
    const deliveries = history.filter((e: any) => e.kind === 'delivery').map((e: any) => e.detail);
    expect(deliveries).toEqual(
      expect.arrayContaining([
        'email email-ops (level 1), attempt 1 of 3: delivered',
        'teams teams-ops (level 1), attempt 1 of 3: delivered',
        `email email-ops to ${person.email} (level 2), attempt 1 of 3: delivered`,
      ]),
    );
  });

  it('delivers level 1 to a signed webhook and to MQTT, and stops escalating once the alert is resolved', async () => {
    const city = 'lanzhou';
    const signingSecret = `whsec-${randomBytes(12).toString('hex')}`;
    const hook = await WebhookReceiver.start([200]);
    const late = await WebhookReceiver.start([200]);
    const referenced = await WebhookReceiver.start([200]);
    receivers.hook = hook;
    receivers.late = late;
    receivers.referenced = referenced;
    await createChannel({ id: 'hook-ops', kind: 'webhook', url: hook.url, signingSecret }, city);
    await createChannel({ id: 'mqtt-ops', kind: 'mqtt' }, city);
    await createChannel({ id: 'mm-late', kind: 'mattermost', url: late.url }, city);
    // A secret given as a reference: the URL lives only in the alerts process's environment (this process: the
    // test runs citypulse in-process), read at delivery.
    process.env.CP_CHANNEL_SECRET_LANZHOU_MM = referenced.url;
    await createChannel({ id: 'mm-ref', kind: 'mattermost', url: 'env:CP_CHANNEL_SECRET_LANZHOU_MM' }, city);
    const policy = {
      levels: [
        { afterSeconds: 0, channels: ['hook-ops', 'mqtt-ops', 'mm-ref'] },
        { afterSeconds: 3, channels: ['mm-late'] },
      ],
      repeatSeconds: 1,
      maxRepeats: 10,
    };
    expect((await cp.api('PUT', `/cities/${city}/escalation-policies/critical`, policy)).status).toBe(200);
    const { token } = await new ApiTokenStore(redis, cp.config.redis.prefix).create({
      name: 'lz-ops',
      role: 'operator',
      cities: [city],
    });
    const operator = await mqtt.connectAsync(cp.mqttUrl, {
      clientId: 'operator:lz-ops',
      username: 'operator:lz-ops',
      password: token,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    const onMqtt: any[] = [];
    operator.on('message', (_topic, payload) => onMqtt.push(JSON.parse(payload.toString())));
    await operator.subscribeAsync(`alerts/${city}/critical`);

    try {
      const device = await connectedSensor(cp, city);
      devices.push(device);
      await createRule(cp, {
        id: `co2-${device.id}`,
        deviceType: 'env-sensor',
        scope: { deviceId: device.id },
        field: 'co2',
        condition: { kind: 'above', threshold: 1000 },
        severity: 'critical',
      });
      await device.publish({ co2: 1700 });
      const [alert] = await waitForAlerts(cp, device.id, (a) => a.length === 1, 'the critical alert');

      // The signed webhook: HMAC-SHA256 over "{timestamp}.{body}" with the channel's key.
      const [delivery] = await waitFor(
        () => hook.received,
        (r) => r.length >= 1,
        { what: 'the signed webhook' },
      );
      const timestamp = String(delivery.headers['x-citypulse-timestamp']);
      expect(delivery.headers['x-citypulse-signature']).toBe(
        `sha256=${createHmac('sha256', signingSecret).update(`${timestamp}.${delivery.body}`).digest('hex')}`,
      );
      expect(JSON.parse(delivery.body)).toMatchObject({
        alert: { id: alert.id, severity: 'critical' },
        event: { kind: 'escalation-step' },
      });
      const [byReference] = await waitFor(
        () => referenced.received,
        (r) => r.length >= 1,
        { what: 'the mattermost channel whose URL is a reference' },
      );
      expectMattermostSchema(JSON.parse(byReference.body), JSON.parse(byReference.body).attachments[0].title_link);
      expect(JSON.parse(byReference.body).attachments[0].title_link).toContain(encodeURIComponent(alert.id));
      // The MQTT channel: the escalation step on the city's alert topic, beside the raised event.
      await waitFor(
        () => onMqtt.filter((m) => m.alert.id === alert.id).map((m) => m.event.kind),
        (kinds) => kinds.includes('escalation-step'),
        { what: 'the MQTT delivery' },
      );

      expect(
        (await cp.api('POST', `/alerts/${encodeURIComponent(alert.id)}/resolve`, { by: 'alice', note: 'vent opened' }))
          .status,
      ).toBe(200);
      // Level 2 comes due 3 s after the alert: it stops there, schedules nothing, and its channel hears nothing.
      const stopped: any = await waitFor<any>(
        async () =>
          (await cp.api('GET', '/queues/escalations/jobs?state=completed&limit=100')).body.items.find(
            (j: any) => j.data.alertId === alert.id && j.returnValue === 'stopped: resolved',
          ),
        Boolean,
        { what: 'the level 2 step stopped by the resolution', timeoutMs: 15_000 },
      );
      expect(stopped.data.step).toBe(1);
      const laterSteps = (await cp.api('GET', '/queues/escalations/jobs?state=delayed&limit=100')).body.items.filter(
        (j: any) => j.data.alertId === alert.id,
      );
      expect(laterSteps).toEqual([]);
      expect(late.received).toHaveLength(0);
      expect(hook.received).toHaveLength(1);
      // Policies are per city: Xi'an's critical policy (its chats, its lead) heard nothing of Lanzhou's alert.
      for (const name of ['slack', 'teams', 'mattermost', 'lead'])
        expect(receivers[name].received.filter((d) => d.body.includes(device.id))).toEqual([]);
      expect(smtp.received.filter((m) => m.decoded.includes(device.id))).toEqual([]);
      const history = (await cp.api('GET', `/alerts/${encodeURIComponent(alert.id)}/history`)).body.items;
      expect(
        history
          .filter((e: any) => e.kind === 'delivery')
          .map((e: any) => e.detail)
          .sort(),
      ).toEqual([
        'mattermost mm-ref (level 1), attempt 1 of 3: delivered',
        'mqtt mqtt-ops (level 1), attempt 1 of 3: delivered',
        'webhook hook-ops (level 1), attempt 1 of 3: delivered',
      ]);
    } finally {
      delete process.env.CP_CHANNEL_SECRET_LANZHOU_MM;
      await operator.endAsync();
    }
  });

  it('shows a delivery that finally failed on the alert and in citypulse_notification_failures_total{channel}', async () => {
    await createChannel({ id: 'mm-broken', kind: 'mattermost', url: receivers.broken.url });
    expect(
      (
        await cp.api('PUT', `/cities/${CITY}/escalation-policies/warning`, {
          levels: [{ afterSeconds: 0, channels: ['mm-broken'] }],
        })
      ).status,
    ).toBe(200);
    const before = Scrape.parse(
      await (
        await fetch(`http://127.0.0.1:${cp.running.httpPort}/metrics`, {
          headers: { authorization: `Bearer ${cp.config.http.adminToken}` },
        })
      ).text(),
    );

    const device = await breachingDevice('warning');
    await device.publish({ co2: 1500 });
    const [alert] = await waitForAlerts(
      cp,
      device.id,
      (a) => a[0]?.deliveryFailedAt !== undefined,
      'the failed delivery marked on the alert',
    );
    failedAlert = alert;
    expect(alert.deliveryFailure).toBe('mattermost mm-broken (level 1): HTTP 500');
    expect(receivers.broken.received).toHaveLength(3);
    // Policies are per severity: the critical policy's channels heard nothing of this warning.
    for (const name of ['slack', 'teams', 'mattermost', 'lead'])
      expect(receivers[name].received.filter((d) => d.body.includes(device.id))).toEqual([]);
    expect((await cp.api('GET', `/alerts/${encodeURIComponent(alert.id)}`)).body.deliveryFailedAt).toBe(
      alert.deliveryFailedAt,
    );

    const attempts = (await cp.api('GET', `/alerts/${encodeURIComponent(alert.id)}/history`)).body.items.filter(
      (e: any) => e.kind === 'delivery',
    );
    const history = attempts.map((e: any) => e.detail);
    // BullMQ's exponential backoff from CP_NOTIFY_BACKOFF_MS (50): the second try ≥ 50 ms after the first, the
    // third ≥ 100 ms after the second (the receiver answers at once, so the gaps are the backoff).
    const at = attempts.map((e: any) => Date.parse(e.at));
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(50);
    expect(at[2] - at[1]).toBeGreaterThanOrEqual(100);
    expect(history).toEqual([
      'mattermost mm-broken (level 1), attempt 1 of 3: failed, will retry: HTTP 500',
      'mattermost mm-broken (level 1), attempt 2 of 3: failed, will retry: HTTP 500',
      'mattermost mm-broken (level 1), attempt 3 of 3: failed for good: HTTP 500',
    ]);
    const after = Scrape.parse(
      await (
        await fetch(`http://127.0.0.1:${cp.running.httpPort}/metrics`, {
          headers: { authorization: `Bearer ${cp.config.http.adminToken}` },
        })
      ).text(),
    );
    expect(
      (after.value('citypulse_notification_failures_total', { channel: 'mattermost' }) ?? 0) -
        (before.value('citypulse_notification_failures_total', { channel: 'mattermost' }) ?? 0),
    ).toBe(1);
  });

  it('marks the card of an alert whose delivery failed, lists the city’s channels masked, and opens an alert from its notification link', async () => {
    expect(failedAlert).toBeDefined();
    const browser = await launchChromium();
    try {
      const page = await (await openContext(browser, DESKTOP)).newPage();
      const errors = pageErrors(page);
      await signIn(page, cp);
      const card = page.locator(`li.alert[data-alert-id="${failedAlert!.id}"]`);
      await card.locator('.badge.delivery-failed').waitFor();
      expect(await card.locator('.badge.delivery-failed').getAttribute('title')).toContain('mm-broken');

      await page.goto(`http://127.0.0.1:${cp.running.httpPort}/console#/channels`);
      await page.fill('input[name=city]', CITY);
      await page.click('form.inline button[type=submit]');
      const row = page.locator('tr[data-channel-id="slack-ops"]');
      await row.waitFor();
      expect(await row.textContent()).toMatch(/slack.*http:\/\/127\.0\.0\.1:\d+\/\*+/);
      expect(await page.locator('main').textContent()).not.toContain('/hook');
      expect(await page.locator('form.policy[data-severity="critical"] textarea').inputValue()).toContain('slack-lead');
      await screenshot(page, 'channels-desktop');

      await page.goto(`http://127.0.0.1:${cp.running.httpPort}/console#/alert/${encodeURIComponent(failedAlert!.id)}`);
      await page.waitForURL(new RegExp(`#/device/${failedAlert!.deviceId}$`));
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('keeps a due escalation step across a restart of citypulse: the delayed job is in Redis', async () => {
    const first = await WebhookReceiver.start([200]);
    const second = await WebhookReceiver.start([200]);
    receivers.restartFirst = first;
    receivers.restartSecond = second;
    await createChannel({ id: 'restart-first', kind: 'mattermost', url: first.url });
    await createChannel({ id: 'restart-second', kind: 'mattermost', url: second.url });
    expect(
      (
        await cp.api('PUT', `/cities/${CITY}/escalation-policies/info`, {
          levels: [
            { afterSeconds: 0, channels: ['restart-first'] },
            { afterSeconds: 4, channels: ['restart-second'] },
          ],
        })
      ).status,
    ).toBe(200);
    const device = await breachingDevice('info');
    await device.publish({ co2: 1500 });
    await waitFor(
      () => first.received.length,
      (n) => n === 1,
      { what: 'level 1' },
    );

    // Every process stops (not cp.stop(): that would clear the Redis prefix), then a new one starts on the same Redis
    // prefix and database.
    await device.client.endAsync();
    devices.splice(devices.indexOf(device), 1);
    await cp.running.close();
    expect(second.received).toHaveLength(0);
    cp = await TestCitypulse.start({
      ...SETTINGS,
      CP_REDIS_PREFIX: cp.config.redis.prefix,
      CP_INFLUX_DB: cp.config.influx.database,
    });
    await waitFor(
      () => second.received.length,
      (n) => n === 1,
      { what: 'level 2 after the restart' },
    );
    // The same alert: both levels link to it.
    expectMattermostSchema(
      JSON.parse(second.received[0].body),
      JSON.parse(first.received[0].body).attachments[0].title_link,
    );
  });
});
