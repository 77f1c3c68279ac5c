import mqtt, { type MqttClient } from 'mqtt';
import { deviceTopic } from '@citypulse/contracts';
import { uniqueName, waitFor } from '@citypulse/testing';
import { TestCitypulse } from './harness.js';
import { SseClient } from './alerts/sse-client.js';

/**
 * Shared data through the interfaces people already use, over real traffic: Tianjin's meters
 * publish over MQTT into the real broker, ingest and InfluxDB; Beijing reads what Tianjin's
 * agreements give through export, SSE and operator MQTT, and the alert events Tianjin chose to
 * share. Nothing beyond an agreement (other fields, other sites, raw readings of an aggregate-only
 * share, data outside its range) reaches Beijing; revoking ends live SSE and MQTT streams within
 * seconds; every read is in the share's audit.
 */
describe('shared data through export, SSE, MQTT and alerts', () => {
  const TICK_MS = 200;
  let cp: TestCitypulse;
  const tokens: Record<'tjAdmin' | 'bjAdmin' | 'bjOperator' | 'hbOperator', string> = {} as never;
  const names = { bjOperator: '', hbOperator: '' };
  const meters: Record<'port' | 'airport', { id: string; client: MqttClient }> = {} as never;
  const shares: Record<'aggregate' | 'raw' | 'control' | 'ended' | 'alerts', string> = {} as never;
  const iso = (ms: number) => new Date(ms).toISOString();
  /** As InfluxDB writes a time (an export's cells are as stored): no fraction when whole seconds. */
  const rfc3339 = (ms: number) => iso(ms).replace('.000Z', 'Z');
  const minuteOf = (ms: number) => Math.floor(ms / 60_000) * 60_000;
  /** Ten minutes back, on a minute: the export's readings, outside every live lookback. */
  const t0 = minuteOf(Date.now()) - 10 * 60_000;

  async function publish(meter: 'port' | 'airport', ts: number, values: Record<string, number>) {
    await meters[meter].client.publishAsync(
      deviceTopic(meters[meter].id, 'telemetry'),
      JSON.stringify({ ts, values }),
      { qos: 1 },
    );
  }

  async function offer(body: Record<string, unknown>): Promise<string> {
    const offered = await cp.api(
      'POST',
      '/shares',
      {
        fromCity: 'tianjin',
        toCity: 'beijing',
        from: iso(t0 - 3_600_000),
        to: iso(Date.now() + 3_600_000),
        expiresAt: iso(Date.now() + 3_600_000),
        ...body,
      },
      tokens.tjAdmin,
    );
    if (offered.status !== 201) throw new Error(`offer: ${offered.status} ${JSON.stringify(offered.body)}`);
    const accepted = await cp.api('POST', `/shares/${offered.body.id}/accept`, {}, tokens.bjAdmin);
    if (accepted.status !== 200) throw new Error(`accept: ${accepted.status} ${JSON.stringify(accepted.body)}`);
    return offered.body.id;
  }

  async function exportOf(id: string, query: string, token = tokens.bjOperator) {
    const response = await fetch(`http://127.0.0.1:${cp.running.httpPort}/shares/${id}/export?${query}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  }

  async function operatorLogin(name: string, token: string): Promise<MqttClient> {
    return mqtt.connectAsync(cp.mqttUrl, {
      clientId: `operator:${name}`,
      username: `operator:${name}`,
      password: token,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
  }

  /** The SUBACK's granted QoS per filter (128: refused; mqtt.js rejects then). */
  const suback = (client: MqttClient, filters: string | string[]): Promise<number[]> =>
    client.subscribeAsync(filters).then(
      (grants) => grants.map((g) => g.qos),
      (error: Error & { packet?: { granted?: number[] } }) => error.packet?.granted ?? Promise.reject(error),
    );

  const sse = (id: string, token = tokens.bjOperator) =>
    SseClient.open(`http://127.0.0.1:${cp.running.httpPort}/shares/${id}/stream`, token);

  beforeAll(async () => {
    cp = await TestCitypulse.start({ CP_SHARE_LIVE_TICK_MS: String(TICK_MS) });
    names.bjOperator = uniqueName('bj-op-');
    names.hbOperator = uniqueName('hb-op-');
    [tokens.tjAdmin, tokens.bjAdmin, tokens.bjOperator, tokens.hbOperator] = await Promise.all([
      cp.issueToken(uniqueName('tj-admin-'), 'admin', ['tianjin']),
      cp.issueToken(uniqueName('bj-admin-'), 'admin', ['beijing']),
      cp.issueToken(names.bjOperator, 'operator', ['beijing']),
      cp.issueToken(names.hbOperator, 'operator', ['hebei']),
    ]);
    for (const [key, site] of [
      ['port', 'tj-port'],
      ['airport', 'tj-airport'],
    ] as const) {
      const id = uniqueName(`tj-m-${key}-`);
      const secret = await cp.provision({ id, type: 'electricity-meter', city: 'tianjin', site });
      meters[key] = { id, client: await cp.connectDevice(id, secret) };
    }
    const meter = { deviceTypes: ['electricity-meter'], fields: ['active_power'] };
    shares.aggregate = await offer({
      ...meter,
      sites: ['tj-port'],
      granularity: { kind: 'aggregate', minIntervalMinutes: 1 },
    });
    shares.raw = await offer({ ...meter, sites: ['tj-port'], granularity: { kind: 'raw' } });
    // Never revoked: shows live data still flows while the revoked shares stay silent.
    shares.control = await offer({ ...meter, sites: ['tj-airport'], granularity: { kind: 'raw' } });
    // Its data range ended with the export's readings: live readings after it never go out.
    shares.ended = await offer({
      ...meter,
      sites: ['tj-airport'],
      granularity: { kind: 'raw' },
      to: iso(t0 + 120_000),
    });

    // The export's readings, ten minutes back: two in the first minute at tj-port, one in the second, one at
    // tj-airport.
    await publish('port', t0 + 10_000, { active_power: 10, voltage: 230 });
    await publish('port', t0 + 20_000, { active_power: 20, voltage: 231 });
    await publish('port', t0 + 70_000, { active_power: 30, voltage: 232 });
    await publish('airport', t0 + 30_000, { active_power: 99, voltage: 299 });
    await waitFor(
      async () =>
        (
          await cp.api(
            'GET',
            `/shares/${shares.raw}/telemetry?deviceType=electricity-meter&field=active_power&from=${iso(t0)}&` +
              `to=${iso(t0 + 120_000)}&every=raw`,
            undefined,
            tokens.bjOperator,
          )
        ).body.readings?.length,
      (n) => n === 3,
      { what: 'the readings stored', timeoutMs: 10_000 },
    );
  });
  afterAll(async () => {
    await Promise.all(Object.values(meters).map((m) => m.client.endAsync()));
    await cp?.stop();
  });

  describe('export', () => {
    const range = `from=${iso(t0)}&to=${iso(t0 + 120_000)}`;

    it('exports a raw share’s readings of its sites and fields only, marked with source city and share', async () => {
      const { status, headers, text } = await exportOf(shares.raw, `deviceType=electricity-meter&${range}`);
      expect(status).toBe(200);
      expect([headers.get('x-citypulse-source-city'), headers.get('x-citypulse-share')]).toEqual([
        'tianjin',
        shares.raw,
      ]);
      expect(headers.get('content-disposition')).toContain(`citypulse-share-${shares.raw}-tianjin-electricity-meter-`);
      const rows = text
        .trim()
        .split('\r\n')
        .map((line) => line.split(','));
      expect(rows[0]).toEqual(['time', 'city', 'site', 'device_id', 'device_type', 'active_power']);
      expect(rows.slice(1).map(([, city, site, device, , power]) => [city, site, device, power])).toEqual([
        ['tianjin', 'tj-port', meters.port.id, '10'],
        ['tianjin', 'tj-port', meters.port.id, '20'],
        ['tianjin', 'tj-port', meters.port.id, '30'],
      ]);
    });

    it('exports an aggregate-only share as whole intervals of at least its minimum, never a reading', async () => {
      const { status, text } = await exportOf(shares.aggregate, `deviceType=electricity-meter&${range}&format=ndjson`);
      expect(status).toBe(200);
      expect(
        text
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line)),
      ).toEqual([
        {
          time: rfc3339(t0),
          city: 'tianjin',
          device_type: 'electricity-meter',
          active_power_mean: 15,
          active_power_min: 10,
          active_power_max: 20,
        },
        {
          time: rfc3339(t0 + 60_000),
          city: 'tianjin',
          device_type: 'electricity-meter',
          active_power_mean: 30,
          active_power_min: 30,
          active_power_max: 30,
        },
      ]);
    });

    it('refuses what the agreement does not give with a 400 naming the field, and answers other cities 404', async () => {
      const cases: Array<[string, string, string]> = [
        [shares.aggregate, `deviceType=electricity-meter&${range}&every=raw`, 'every'],
        [shares.aggregate, `deviceType=electricity-meter&${range}&every=30s`, 'every'],
        [shares.raw, `deviceType=electricity-meter&fields=voltage&${range}`, 'fields'],
        [shares.raw, `deviceType=electricity-meter&fields=active_power,voltage&${range}`, 'fields'],
        [shares.raw, `deviceType=electricity-meter&site=tj-airport&${range}`, 'site'],
        [shares.raw, `deviceType=solar-inverter&${range}`, 'deviceType'],
        [
          shares.raw,
          `deviceType=electricity-meter&from=${iso(Date.now() + 7_200_000)}&to=${iso(Date.now() + 7_300_000)}`,
          'from',
        ],
        [shares.raw, `deviceType=electricity-meter&${range}&limit=2`, 'limit'],
      ];
      for (const [id, query, field] of cases) {
        const { status, text } = await exportOf(id, query);
        expect({ query, status, fields: JSON.parse(text).fields?.map((f: any) => f.field) }).toEqual({
          query,
          status: 400,
          fields: [field],
        });
      }
      expect((await exportOf(shares.raw, `deviceType=electricity-meter&${range}`, tokens.hbOperator)).status).toBe(404);
      // A share whose data range has ended: clipped to it.
      const ended = await exportOf(shares.ended, 'deviceType=electricity-meter&format=ndjson');
      expect(
        ended.text
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line).active_power),
      ).toEqual([99]);
    });
  });

  describe('live streams', () => {
    let aggregateStream: SseClient;
    let rawStream: SseClient;
    let controlStream: SseClient;
    let endedStream: SseClient;
    let bjMqtt: MqttClient;
    const mqttSeen: Array<{ topic: string; at: number; m: any }> = [];
    /** A closed minute within the live lookback: its aggregate goes out once its readings are stored. */
    let lastMinute: number;

    beforeAll(async () => {
      lastMinute = minuteOf(Date.now()) - 60_000;
      [aggregateStream, rawStream, controlStream, endedStream] = await Promise.all([
        sse(shares.aggregate),
        sse(shares.raw),
        sse(shares.control),
        sse(shares.ended),
      ]);
      bjMqtt = await operatorLogin(names.bjOperator, tokens.bjOperator);
      bjMqtt.on('message', (topic, payload) =>
        mqttSeen.push({ topic, at: Date.now(), m: JSON.parse(payload.toString()) }),
      );
    });
    afterAll(async () => {
      for (const stream of [aggregateStream, rawStream, controlStream, endedStream]) stream?.close();
      await bjMqtt?.endAsync();
    });

    it('grants operator MQTT subscriptions to a share’s topics only to its receiving city', async () => {
      expect(
        await suback(bjMqtt, [
          `shares/${shares.aggregate}/#`,
          `shares/${shares.raw}/electricity-meter/+`,
          `shares/${shares.control}/#`,
          `shares/${shares.ended}/#`,
        ]),
      ).toEqual([0, 0, 0, 0]);
      expect(await suback(bjMqtt, 'shares/+/#')).toEqual([128]);
      const hebei = await operatorLogin(names.hbOperator, tokens.hbOperator);
      expect(await suback(hebei, `shares/${shares.aggregate}/#`)).toEqual([128]);
      await hebei.endAsync();
      expect((await sse(shares.raw, tokens.hbOperator).catch((e: Error) => e.message)) as string).toMatch(/: 404 /);
    });

    it('streams aggregates of whole closed intervals for an aggregate-only share and readings for a raw one, over SSE and MQTT', async () => {
      await publish('port', lastMinute + 5_000, { active_power: 100, voltage: 240 });
      await publish('port', lastMinute + 15_000, { active_power: 200, voltage: 241 });
      await publish('airport', lastMinute + 25_000, { active_power: 444, voltage: 242 });

      const wanted = { time: iso(lastMinute), mean: 150, min: 100, max: 200 };
      await waitFor(
        () => aggregateStream.messages.filter((m) => m.event === 'aggregate').map((m) => m.data.point),
        (points) => points.some((p) => p.mean === 150),
        { what: 'the closed minute’s aggregate over SSE' },
      );
      await waitFor(
        () =>
          mqttSeen
            .filter((s) => s.topic === `shares/${shares.aggregate}/electricity-meter/active_power`)
            .map((s) => s.m.point),
        (points) => points.some((p) => p.mean === 150),
        { what: 'the aggregate over MQTT' },
      );
      await waitFor(
        () => rawStream.messages.flatMap((m) => m.data.readings ?? []).map((r: any) => r.value),
        (values) => values.includes(100) && values.includes(200),
        { what: 'the raw readings over SSE' },
      );
      await waitFor(
        () =>
          mqttSeen
            .filter((s) => s.topic === `shares/${shares.control}/electricity-meter/active_power`)
            .flatMap((s) => s.m.readings),
        (readings) => readings.some((r: any) => r.value === 444),
        { what: 'the control share’s reading over MQTT' },
      );

      // The aggregate-only share: aggregate events only, of whole minutes of tj-port, marked with source city and
      // share.
      const aggregateMessages = [
        ...aggregateStream.messages.map((m) => ({ type: m.event, m: m.data })),
        ...mqttSeen
          .filter((s) => s.topic.startsWith(`shares/${shares.aggregate}/`))
          .map((s) => ({ type: s.m.kind, m: s.m })),
      ];
      expect(new Set(aggregateMessages.map((x) => x.type))).toEqual(new Set(['aggregate']));
      for (const { m } of aggregateMessages) {
        expect(m).toMatchObject({
          source: { city: 'tianjin', share: shares.aggregate },
          deviceType: 'electricity-meter',
          field: 'active_power',
          every: '1m',
        });
        expect(Date.parse(m.point.time) % 60_000).toBe(0);
        expect(Date.parse(m.point.time) + 60_000).toBeLessThanOrEqual(Date.now());
        expect(m.point.max).toBeLessThanOrEqual(200); // tj-airport's 444 is outside the share's sites
        expect(m).not.toHaveProperty('readings');
      }
      expect(
        aggregateMessages
          .map((x) => x.m.point)
          .filter((p) => p.time === wanted.time)
          .at(-1),
      ).toEqual(wanted);
      // The raw share: readings of tj-port's active_power only.
      const rawReadings = [
        ...rawStream.messages,
        ...mqttSeen
          .filter((s) => s.topic.startsWith(`shares/${shares.raw}/`))
          .map((s) => ({ event: s.m.kind, data: s.m })),
      ];
      expect(
        new Set(rawReadings.map((m) => `${m.event} ${m.data.source.city} ${m.data.source.share} ${m.data.field}`)),
      ).toEqual(new Set([`readings tianjin ${shares.raw} active_power`]));
      expect(new Set(rawReadings.flatMap((m) => m.data.readings.map((r: any) => r.site)))).toEqual(
        new Set(['tj-port']),
      );
      // Data after the share's range: nothing, while the control share of the same site delivered.
      expect([endedStream.messages, mqttSeen.filter((s) => s.topic.startsWith(`shares/${shares.ended}/`))]).toEqual([
        [],
        [],
      ]);
    });

    it('ends the live SSE streams and MQTT delivery within seconds of revocation, while an unrevoked share still flows', async () => {
      const revokedAt = Date.now();
      for (const id of [shares.aggregate, shares.raw])
        expect((await cp.api('POST', `/shares/${id}/revoke`, {}, tokens.tjAdmin)).status).toBe(200);
      await waitFor(
        () => aggregateStream.ended && rawStream.ended,
        (ended) => ended,
        { what: 'the revoked shares’ SSE streams to end', timeoutMs: 3000 },
      );
      expect(Date.now() - revokedAt).toBeLessThan(3000);
      for (const stream of [aggregateStream, rawStream])
        expect(stream.messages.at(-1)).toMatchObject({ event: 'end', data: { reason: 'revoked' } });
      expect(controlStream.ended).toBe(false);

      // New readings after the revocation: the control share delivers its own, the revoked ones nothing.
      const settledAt = Date.now();
      await publish('port', lastMinute + 35_000, { active_power: 300, voltage: 243 });
      await publish('airport', lastMinute + 36_000, { active_power: 355, voltage: 244 });
      await waitFor(
        () => controlStream.messages.flatMap((m) => m.data.readings ?? []),
        (readings) => readings.some((r: any) => r.value === 355),
        { what: 'the control share’s new reading over SSE' },
      );
      await waitFor(
        () => mqttSeen.filter((s) => s.topic.startsWith(`shares/${shares.control}/`)).flatMap((s) => s.m.readings),
        (readings) => readings.some((r: any) => r.value === 355),
        { what: 'the control share’s new reading over MQTT' },
      );
      // Two more ticks for anything of the revoked shares to have arrived, had it been sent.
      await new Promise((resolve) => setTimeout(resolve, 2 * TICK_MS));
      const late = mqttSeen.filter((s) => s.at >= settledAt && !s.topic.startsWith(`shares/${shares.control}/`));
      expect(late).toEqual([]);
      expect([endedStream.messages, endedStream.ended]).toEqual([[], false]);
      // Re-subscribing to a revoked share is refused.
      expect(await suback(bjMqtt, `shares/${shares.raw}/#`)).toEqual([128]);
      expect((await sse(shares.raw).catch((e: Error) => e.message)) as string).toMatch(/: 404 /);
    });

    it('ends a live stream and refuses MQTT subscriptions within seconds of the share expiring', async () => {
      const expiresAt = Date.now() + 2000;
      const id = await offer({
        deviceTypes: ['electricity-meter'],
        fields: ['active_power'],
        sites: ['tj-airport'],
        granularity: { kind: 'raw' },
        expiresAt: iso(expiresAt),
      });
      const stream = await sse(id);
      expect(await suback(bjMqtt, `shares/${id}/#`)).toEqual([0]);
      await waitFor(
        () => stream.ended,
        (ended) => ended,
        { what: 'the expired share’s SSE stream to end', timeoutMs: 5000 },
      );
      expect(Date.now() - expiresAt).toBeLessThan(2000);
      expect(stream.messages.at(-1)).toMatchObject({
        event: 'end',
        data: { source: { city: 'tianjin', share: id }, reason: 'expired' },
      });
      expect(await suback(bjMqtt, `shares/${id}/#`)).toEqual([128]);
    });

    it('lists every export, stream and subscription in the share’s audit', async () => {
      const { body } = await cp.api('GET', `/shares/${shares.raw}/audit`, undefined, tokens.tjAdmin);
      const actions = body.items.map((e: any) => e.action);
      expect(actions.filter((a: string) => a === 'share.export')).toHaveLength(1);
      expect(actions.filter((a: string) => a === 'share.stream')).toHaveLength(1);
      expect(actions.filter((a: string) => a === 'share.subscribe')).toHaveLength(1);
      const subscribe = body.items.find((e: any) => e.action === 'share.subscribe');
      expect(subscribe).toMatchObject({
        actor: names.bjOperator,
        detail: `beijing subscribed to shares/${shares.raw}/electricity-meter/+ over MQTT`,
      });
      expect(body.items.find((e: any) => e.action === 'share.export').detail).toMatch(
        /^beijing exported csv of electricity-meter.active_power /,
      );
    });
  });

  describe('shared alert events', () => {
    it('gives the receiving city the alert events the offering city chose, read-only, marked with source city and share', async () => {
      const badSelector = await cp.api(
        'POST',
        '/shares',
        {
          kind: 'alerts',
          fromCity: 'tianjin',
          toCity: 'beijing',
          alerts: { severities: ['loud'] },
          from: iso(t0),
          to: iso(Date.now() + 60_000),
          expiresAt: iso(Date.now() + 60_000),
        },
        tokens.tjAdmin,
      );
      expect({ status: badSelector.status, field: badSelector.body.fields?.[0]?.field }).toEqual({
        status: 400,
        field: 'alerts.severities',
      });
      shares.alerts = await offer({ kind: 'alerts', alerts: { fields: ['frequency'] } });
      const stream = await sse(shares.alerts);
      for (const [id, field, threshold] of [
        ['freq-high', 'frequency', 50.5],
        ['power-high', 'active_power', 400],
      ] as const) {
        const rule = {
          id: `${id}-${meters.port.id}`,
          deviceType: 'electricity-meter',
          scope: { deviceId: meters.port.id },
          field,
          condition: { kind: 'above', threshold },
          severity: 'critical',
        };
        const { status, body } = await cp.api('POST', '/rules', rule);
        if (status !== 201) throw new Error(`POST /rules: ${status} ${JSON.stringify(body)}`);
      }
      await publish('port', Date.now(), { frequency: 51, active_power: 450 });
      await waitFor(
        async () => (await cp.api('GET', `/alerts?deviceId=${meters.port.id}`)).body.items.length,
        (n) => n === 2,
        { what: 'both alerts raised', timeoutMs: 15_000 },
      );

      const listed = await waitFor(
        async () => (await cp.api('GET', `/shares/${shares.alerts}/alerts`, undefined, tokens.bjOperator)).body,
        (b) => b.total >= 1,
        { what: 'the shared alert listed' },
      );
      expect(listed.items).toHaveLength(1);
      expect(listed.items[0]).toMatchObject({
        source: { city: 'tianjin', share: shares.alerts },
        alert: { city: 'tianjin', field: 'frequency', deviceId: meters.port.id, state: 'open' },
      });
      await waitFor(
        () => stream.messages.filter((m) => m.event === 'alert'),
        (alerts) => alerts.length >= 1,
        { what: 'the shared alert over SSE' },
      );
      expect(
        stream.messages
          .filter((m) => m.event === 'alert')
          .map((m) => [m.data.source.share, m.data.alert.field, m.data.event.kind]),
      ).toEqual([[shares.alerts, 'frequency', 'raised']]);

      // Read-only: Beijing cannot act on Tianjin's alert, nor see it among its own; Hebei does not see the share.
      const alertId = listed.items[0].alert.id;
      expect(
        (await cp.api('POST', `/alerts/${encodeURIComponent(alertId)}/acknowledge`, { by: 'bj' }, tokens.bjOperator))
          .status,
      ).toBe(404);
      expect((await cp.api('GET', '/alerts', undefined, tokens.bjOperator)).body.items).toEqual([]);
      expect((await cp.api('GET', `/shares/${shares.alerts}/alerts`, undefined, tokens.hbOperator)).status).toBe(404);
      // An alert share gives no telemetry.
      expect((await exportOf(shares.alerts, 'deviceType=electricity-meter')).status).toBe(400);
      stream.close();
      const audit = (await cp.api('GET', `/shares/${shares.alerts}/audit`, undefined, tokens.tjAdmin)).body.items.map(
        (e: any) => e.action,
      );
      expect(audit).toEqual(expect.arrayContaining(['share.stream', 'share.read']));
    });
  });

  describe('per-site totals', () => {
    // Three meters at tj-depot and one at tj-yard; the share asks for at least 3 devices per site and interval.
    const depot: Array<{ id: string; client: MqttClient }> = [];
    let yard: { id: string; client: MqttClient };
    let totalsShare: string;
    const firstMinute = [11, 22, 33];
    const send = (m: { id: string; client: MqttClient }, ts: number, active_power: number) =>
      m.client.publishAsync(
        deviceTopic(m.id, 'telemetry'),
        JSON.stringify({ ts, values: { active_power, voltage: 230 } }),
        { qos: 1 },
      );
    const range = `from=${iso(t0)}&to=${iso(t0 + 120_000)}`;
    const deviceIds = () => [...depot, yard].map((m) => m.id);

    beforeAll(async () => {
      for (const [i, site] of ['tj-depot', 'tj-depot', 'tj-depot', 'tj-yard'].entries()) {
        const id = uniqueName(`tj-m-${site}-${i}-`);
        const secret = await cp.provision({ id, type: 'electricity-meter', city: 'tianjin', site });
        const meter = { id, client: await cp.connectDevice(id, secret) };
        if (site === 'tj-depot') depot.push(meter);
        else yard = meter;
      }
      const sites = ['tj-depot', 'tj-yard'];
      totalsShare = await offer({
        deviceTypes: ['electricity-meter'],
        fields: ['active_power'],
        sites,
        granularity: { kind: 'site-totals', minIntervalMinutes: 1, minDevices: 3 },
      });
      const rawShare = await offer({
        deviceTypes: ['electricity-meter'],
        fields: ['active_power'],
        sites,
        granularity: { kind: 'raw' },
      });
      // First minute: every depot meter and the yard meter; second minute: only two depot meters.
      await Promise.all(depot.map((m, i) => send(m, t0 + 10_000 + i * 1000, firstMinute[i])));
      await send(yard, t0 + 15_000, 44);
      await send(depot[0], t0 + 70_000, 5);
      await send(depot[1], t0 + 75_000, 7);
      await waitFor(
        async () =>
          (
            await cp.api(
              'GET',
              `/shares/${rawShare}/telemetry?deviceType=electricity-meter&field=active_power&${range}&every=raw`,
              undefined,
              tokens.bjOperator,
            )
          ).body.readings?.length,
        (n) => n === 6,
        { what: 'the site readings stored', timeoutMs: 10_000 },
      );
    });
    afterAll(async () => {
      await Promise.all([...depot, yard].filter(Boolean).map((m) => m.client.endAsync()));
    });

    it('refuses a site-totals offer of fewer than two devices with a 400 naming granularity.minDevices', async () => {
      for (const minDevices of [1, 2.5, 'three']) {
        const { status, body } = await cp.api(
          'POST',
          '/shares',
          {
            fromCity: 'tianjin',
            toCity: 'beijing',
            deviceTypes: ['electricity-meter'],
            fields: ['active_power'],
            granularity: { kind: 'site-totals', minIntervalMinutes: 1, minDevices },
            from: iso(t0),
            to: iso(t0 + 60_000),
            expiresAt: iso(Date.now() + 60_000),
          },
          tokens.tjAdmin,
        );
        expect({ minDevices, status, fields: body.fields?.map((f: any) => f.field) }).toEqual({
          minDevices,
          status: 400,
          fields: ['granularity.minDevices'],
        });
      }
      const defaulted = await cp.api(
        'POST',
        '/shares',
        {
          fromCity: 'tianjin',
          toCity: 'beijing',
          deviceTypes: ['electricity-meter'],
          fields: ['active_power'],
          granularity: { kind: 'site-totals', minIntervalMinutes: 1 },
          from: iso(t0),
          to: iso(t0 + 60_000),
          expiresAt: iso(Date.now() + 60_000),
        },
        tokens.tjAdmin,
      );
      expect({ status: defaulted.status, granularity: defaulted.body.granularity }).toEqual({
        status: 201,
        granularity: { kind: 'site-totals', minIntervalMinutes: 1, minDevices: 3 },
      });
    });

    it('answers per-site sums of sites where enough devices reported, never a device’s values or id', async () => {
      const { status, body } = await cp.api(
        'GET',
        `/shares/${totalsShare}/telemetry?deviceType=electricity-meter&field=active_power&${range}&every=1m`,
        undefined,
        tokens.bjOperator,
      );
      expect(status).toBe(200);
      const sum = firstMinute.reduce((a, b) => a + b, 0);
      // tj-yard (one meter) and the depot's second minute (two meters) are left out.
      expect(body.totals).toEqual([
        { time: iso(t0), site: 'tj-depot', sum, mean: sum / firstMinute.length, devices: 3 },
      ]);
      expect(body.source).toEqual({ city: 'tianjin', share: totalsShare });
      const text = JSON.stringify(body);
      expect(deviceIds().filter((id) => text.includes(id))).toEqual([]);
      expect(text).not.toContain('deviceId');

      const exported = await exportOf(totalsShare, `deviceType=electricity-meter&${range}&format=ndjson`);
      expect(exported.status).toBe(200);
      expect(
        exported.text
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line)),
      ).toEqual([
        {
          time: rfc3339(t0),
          city: 'tianjin',
          site: 'tj-depot',
          device_type: 'electricity-meter',
          active_power_sum: sum,
          active_power_mean: sum / firstMinute.length,
          active_power_devices: 3,
        },
      ]);
      expect(deviceIds().filter((id) => exported.text.includes(id))).toEqual([]);
    });

    it('refuses device-level reads of a site-totals share with a 400 naming the field', async () => {
      for (const [path, field] of [
        [
          `/shares/${totalsShare}/telemetry?deviceType=electricity-meter&field=active_power&${range}&every=raw`,
          'every',
        ],
        [`/shares/${totalsShare}/export?deviceType=electricity-meter&${range}&every=raw`, 'every'],
        [
          `/shares/${totalsShare}/telemetry?deviceType=electricity-meter&field=active_power&${range}&every=30s`,
          'every',
        ],
      ]) {
        const { status, body } = await cp.api('GET', path, undefined, tokens.bjOperator);
        expect({ path, status, field: body.fields?.[0]?.field }).toEqual({ path, status: 400, field });
      }
    });
  });
});
