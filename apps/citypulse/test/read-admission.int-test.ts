import mqtt, { type MqttClient } from 'mqtt';
import { deviceTopic } from '@citypulse/contracts';
import { uniqueName, waitFor } from '@citypulse/testing';
import { MqttBrokerService } from '../../broker/src/index.js';
import { TestCitypulse } from './harness.js';

/**
 * The broker's read admission (CP_MQTT_MAX_PARSED_READINGS) through the real broker: with room for
 * only 5 parsed readings, connections that send many at once (TCP and WebSocket) are paused and
 * resumed until every reading is stored, and a city held back by its rate limit does not take the
 * room another city needs.
 */
describe('read admission', () => {
  let cp: TestCitypulse;

  beforeAll(async () => {
    cp = await TestCitypulse.start({
      CP_MQTT_MAX_PARSED_READINGS: '5',
      CP_MQTT_WS_PORT: '0',
      CP_CITY_MAX_READINGS_PER_S: '0',
      CP_CITY_READINGS_PER_S_OVERRIDES: 'slowcity=1',
      CP_CITY_RATE_MAX_HOLD_MS: '12000',
    });
  });
  afterAll(async () => {
    await cp?.stop();
  });

  async function device(city: string, over: 'tcp' | 'ws' = 'tcp') {
    const id = uniqueName(`${city}-`);
    const secret = await cp.provision({ id, type: 'env-sensor', city, site: `${city}-1` });
    const client =
      over === 'tcp'
        ? await cp.connectDevice(id, secret)
        : await mqtt.connectAsync(`ws://127.0.0.1:${cp.running.app.get(MqttBrokerService).listenerPort('ws')}/mqtt`, {
            protocolVersion: 4,
            reconnectPeriod: 0,
            clientId: id,
            username: id,
            password: secret,
          });
    return { id, client };
  }
  const reading = (i: number) => ({ ts: Date.now() - 60_000 + i, values: { temperature: 20 + (i % 10) } });
  const publish = (client: MqttClient, id: string, body: unknown) =>
    client.publishAsync(deviceTopic(id, 'telemetry'), JSON.stringify(body), { qos: 1 });
  const storedCount = async (id: string) =>
    (await cp.influx.query(`SELECT temperature FROM building WHERE device_id = '${id}'`)).length;
  const pauses = async () => {
    const text = await fetch(`http://127.0.0.1:${cp.running.httpPort}/metrics`, {
      headers: { authorization: `Bearer ${cp.config.http.adminToken}` },
    }).then((r) => r.text());
    return Number(/^citypulse_mqtt_read_pauses_total (\d+)/m.exec(text)?.[1]);
  };

  it('stores every reading of six connections sending 50 at once each, pausing them while 5 are held', async () => {
    const devices = await Promise.all([...Array.from({ length: 5 }, () => device('bigcity')), device('bigcity', 'ws')]);
    const pausesBefore = await pauses();
    await Promise.all(
      devices.flatMap(({ id, client }) => [
        ...Array.from({ length: 40 }, (_, i) => publish(client, id, reading(i))),
        // A batch larger than the whole room still goes through, alone.
        publish(client, id, { readings: Array.from({ length: 10 }, (_, i) => reading(100 + i)) }),
      ]),
    );
    for (const { id } of devices)
      await waitFor(
        () => storedCount(id),
        (n) => n === 50,
        { what: `the 50 readings of ${id} stored` },
      );
    expect(await pauses()).toBeGreaterThan(pausesBefore);
    await Promise.all(devices.map(({ client }) => client.endAsync()));
  });

  it('lets another city through while a rate-limited city’s publishes wait out their hold', async () => {
    const slow = await device('slowcity');
    const busy = await device('busycity');
    // slowcity may store 1 reading/s: of 10 sent at once, 1 goes through and the rest get their PUBACKs one a second.
    let slowAcked = 0;
    const slowDone = Promise.all(
      Array.from({ length: 10 }, (_, i) => publish(slow.client, slow.id, reading(i)).then(() => slowAcked++)),
    );
    await waitFor(
      () => slowAcked,
      (n) => n >= 1,
      { what: 'slowcity’s first PUBACK' },
    );
    for (let i = 0; i < 10; i++) await publish(busy.client, busy.id, reading(i));
    // Were held readings counted against the room of 5, busycity would have been paused until no more
    // than 4 of slowcity's were left waiting.
    expect(10 - slowAcked).toBeGreaterThanOrEqual(5);
    await slowDone;
    await waitFor(
      () => storedCount(slow.id),
      (n) => n === 10,
      { what: 'all 10 slowcity readings stored' },
    );
    await waitFor(
      () => storedCount(busy.id),
      (n) => n === 10,
      { what: 'all 10 busycity readings stored' },
    );
    await slow.client.endAsync();
    await busy.client.endAsync();
  });
});
