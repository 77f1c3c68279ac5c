import type { MqttClient } from 'mqtt';
import { Redis } from 'ioredis';
import { sharedLiveChannel } from '@citypulse/contracts';
import { slotTag } from '@citypulse/redis';
import { waitFor } from '@citypulse/testing';
import type { SseClient } from '../alerts/sse-client.js';
import { SharingRig, minuteOf, type Meter } from './sharing-rig.js';

/**
 * Live delivery of a site-totals share over real traffic: Tianjin's meters publish into the real
 * broker, ingest and InfluxDB; the API's live publisher sends Beijing per-site totals of closed
 * intervals over SSE and operator MQTT — never a reading or a device id, never a site with fewer
 * devices than agreed — and computes a share's live data only while an SSE stream or an MQTT
 * subscription listens to it (watched on the live channel in Redis, where every computed message
 * goes).
 */
describe('live per-site totals, computed only while someone listens', () => {
  const TICK_MS = 200;
  let rig: SharingRig;
  let subscriber: Redis;
  let redis: Redis;
  /** Every message the publisher put on the live channel, in order. */
  const published: any[] = [];
  const shares = { listened: '', quiet: '' };
  let depot: Meter[];
  let lastMinute: number;
  let stream: SseClient;
  let bjMqtt: MqttClient;
  const mqttSeen: any[] = [];

  const depotSums = (messages: any[], share: string) =>
    messages
      .filter((m) => m.kind === 'totals' && m.source.share === share)
      .flatMap((m) => m.totals)
      .filter((t: any) => t.site === 'tj-depot')
      .map((t: any) => t.sum);
  const listenedNote = (id: string) => redis.exists(`${slotTag(rig.cp.config.redis.prefix, 'shares')}:listened:${id}`);

  /** A new reading of the first depot meter, then the listened share's changed total on the channel. */
  async function changeDepot(ts: number, value: number, sum: number): Promise<void> {
    await rig.send(depot[0], ts, value);
    await waitFor(
      () => depotSums(published, shares.listened),
      (sums) => sums.includes(sum),
      { what: `the listened share's total ${sum} published` },
    );
  }

  beforeAll(async () => {
    rig = await SharingRig.start({ CP_SHARE_LIVE_TICK_MS: String(TICK_MS) });
    redis = new Redis(rig.cp.config.redis.url);
    subscriber = new Redis(rig.cp.config.redis.url);
    subscriber.on('message', (_channel: string, json: string) => published.push(JSON.parse(json)));
    await subscriber.subscribe(sharedLiveChannel(rig.cp.config.redis.prefix));
    const meters = await rig.connectMeters(['tj-depot', 'tj-depot', 'tj-depot', 'tj-yard']);
    depot = meters.slice(0, 3);
    const totals = {
      sites: ['tj-depot', 'tj-yard'],
      granularity: { kind: 'site-totals', minIntervalMinutes: 1, minDevices: 2 },
    };
    shares.listened = await rig.offer(totals);
    shares.quiet = await rig.offer(totals);
    stream = await rig.sse(shares.listened);
    bjMqtt = await rig.operatorLogin();
    bjMqtt.on('message', (topic, payload) => mqttSeen.push({ topic, ...JSON.parse(payload.toString()) }));
    expect((await bjMqtt.subscribeAsync(`shares/${shares.listened}/#`)).map((g) => g.qos)).toEqual([0]);
    lastMinute = minuteOf(Date.now()) - 60_000;
  });
  afterAll(async () => {
    stream?.close();
    await bjMqtt?.endAsync();
    subscriber?.disconnect();
    redis?.disconnect();
    await rig?.stop();
  });

  it('streams per-site totals of whole closed minutes over SSE and MQTT, never a reading or a device id', async () => {
    await Promise.all(depot.map((m, i) => rig.send(m, lastMinute + 5_000 + i * 1000, [10, 20, 30][i])));
    await rig.send(rig.meters[3], lastMinute + 5_000, 99);
    const sse = await waitFor(
      () => stream.messages.filter((m) => m.event === 'totals').map((m) => m.data),
      (messages) => depotSums(messages, shares.listened).includes(60),
      { what: 'the depot’s total over SSE' },
    );
    const mqttMessages = await waitFor(
      () => mqttSeen,
      (messages) => depotSums(messages, shares.listened).includes(60),
      { what: 'the depot’s total over MQTT' },
    );
    expect(new Set(mqttMessages.map((m) => m.topic))).toEqual(
      new Set([`shares/${shares.listened}/electricity-meter/active_power`]),
    );
    for (const m of [...sse, ...mqttMessages]) {
      expect(m).toMatchObject({
        kind: 'totals',
        source: { city: 'tianjin', share: shares.listened },
        deviceType: 'electricity-meter',
        field: 'active_power',
        every: '1m',
        by: 'site',
      });
      for (const total of m.totals) {
        expect(Date.parse(total.time) % 60_000).toBe(0);
        expect(Date.parse(total.time) + 60_000).toBeLessThanOrEqual(Date.now());
        expect(Object.keys(total).sort()).toEqual(['devices', 'mean', 'site', 'sum', 'time']);
      }
    }
    // tj-yard has one meter (fewer than minDevices 2): never in a total. (The depot's total may have gone out first
    // over two meters, had the third's reading been stored a tick later: sent again once it changed.)
    const totals = sse.flatMap((m) => m.totals);
    expect(new Set(totals.map((t: any) => t.site))).toEqual(new Set(['tj-depot']));
    expect(totals.at(-1)).toEqual({
      time: new Date(lastMinute).toISOString(),
      site: 'tj-depot',
      sum: 60,
      mean: 20,
      devices: 3,
    });
    const text = JSON.stringify([...stream.messages, ...mqttMessages, ...published]);
    expect(rig.meters.filter((m) => text.includes(m.id))).toEqual([]);
    expect(text).not.toMatch(/deviceId|readings|"value"/);
  });

  it('computes a share’s totals only while an SSE stream or an MQTT subscription listens to it', async () => {
    // Nobody listens to the quiet share: its totals (the same as the listened share's) are never computed, though
    // the listened share's of a later tick have gone out since.
    await changeDepot(lastMinute + 6_000, 30, 70);
    expect([depotSums(published, shares.quiet), await listenedNote(shares.quiet)]).toEqual([[], 0]);

    // An SSE stream listens: the quiet share's totals are computed and streamed.
    const quietStream = await rig.sse(shares.quiet);
    await waitFor(
      () =>
        depotSums(
          quietStream.messages.map((m) => m.data),
          shares.quiet,
        ),
      (sums) => sums.includes(70),
      { what: 'the quiet share’s total over SSE once it is listened to' },
    );
    quietStream.close();
    await waitFor(
      () => listenedNote(shares.quiet),
      (n) => n === 0,
      { what: 'the quiet share no longer noted as listened' },
    );
    let seen = published.length;
    await changeDepot(lastMinute + 7_000, 50, 80);
    expect(depotSums(published.slice(seen), shares.quiet)).toEqual([]);

    // An MQTT subscription alone listens too, until it is dropped.
    expect((await bjMqtt.subscribeAsync(`shares/${shares.quiet}/#`)).map((g) => g.qos)).toEqual([0]);
    await waitFor(
      () => depotSums(mqttSeen, shares.quiet),
      (sums) => sums.includes(80),
      { what: 'the quiet share’s total over MQTT once subscribed' },
    );
    await bjMqtt.unsubscribeAsync(`shares/${shares.quiet}/#`);
    await waitFor(
      () => listenedNote(shares.quiet),
      (n) => n === 0,
      { what: 'the quiet share no longer noted once unsubscribed' },
    );
    seen = published.length;
    await changeDepot(lastMinute + 8_000, 70, 90);
    expect(depotSums(published.slice(seen), shares.quiet)).toEqual([]);
    expect(await listenedNote(shares.listened)).toBe(1);
  });
});
