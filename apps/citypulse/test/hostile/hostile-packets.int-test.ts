import mqttPacket, { type Packet } from 'mqtt-packet';
import { deviceTopic } from '@citypulse/contracts';
import { seededRandom } from '@citypulse/random';
import { connectPacket, mutate, noise, RawMqttSocket, type Mutant, type PublishingDevice } from '@citypulse/testing';
import { attackerAddress, HostileRig } from './hostile-rig.js';

/**
 * Bytes that are not (quite) MQTT, packets too large to hold, and clients that connect and then
 * say nothing or too little: each is refused — the connection closed or the CONNECT answered
 * with a failure — within a bounded time, while the bystander devices lose nothing.
 * CONNECT timeout 1 s here (CP_MQTT_CONNECT_TIMEOUT_MS), packet limit the default 256 KiB, keep-alive
 * at most 2 s (CP_MQTT_MAX_KEEPALIVE_S).
 */
const SEED = 20261128;
const CONNECT_TIMEOUT_MS = 1000;
const MAX_PACKET = 262_144;
/** The broker's maximum keep-alive here (CP_MQTT_MAX_KEEPALIVE_S): applied to 0 and to anything longer. */
const MAX_KEEPALIVE_S = 2;

let rig: HostileRig;
beforeAll(async () => {
  rig = await HostileRig.start('hostile MQTT packets', { CP_MQTT_MAX_KEEPALIVE_S: String(MAX_KEEPALIVE_S) });
});
afterAll(async () => {
  await rig?.stop();
});

const frame = (packet: Packet) => mqttPacket.generate(packet);
const publish = (id: string, payload: Buffer | string, qos: 0 | 1 | 2 = 1): Packet => ({
  cmd: 'publish',
  topic: deviceTopic(id, 'telemetry'),
  payload: Buffer.from(payload),
  qos,
  messageId: qos ? 1 : undefined,
  retain: false,
  dup: false,
});
const login = (d: PublishingDevice, keepaliveS = 60) => ({
  clientId: d.id,
  username: d.id,
  password: d.secret,
  keepaliveS,
});

/** What mqtt-packet's own strict parser makes of some bytes: the first packet, if any. */
function parsedAs(bytes: Buffer): Packet | undefined {
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  let first: Packet | undefined;
  parser.on('packet', (p: Packet) => (first ??= p));
  parser.on('error', () => undefined);
  parser.parse(bytes);
  return first;
}

/** Runs `each` over the inputs with `lanes` at a time. */
async function inLanes<T>(inputs: T[], lanes: number, each: (input: T, lane: number) => Promise<void>): Promise<void> {
  const queue = inputs.map((input, i) => [input, i] as const);
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      for (let next = queue.shift(); next; next = queue.shift()) await each(next[0], lane);
    }),
  );
}

describe('random and mutated MQTT packets', () => {
  it('refuses every corrupted CONNECT and random noise before login: closed or a failed CONNACK, never a login with wrong credentials, never left hanging', async () => {
    const category = 'mutated packets before CONNECT';
    const device = await rig.provision();
    // One real login first, so the secret is verified and cached like a fleet device's.
    const first = await RawMqttSocket.login(rig.mqttPort, login(device), { localAddress: attackerAddress() });
    expect(first.returnCode).toBe(0);
    await first.socket.destroy();
    const bases = [
      frame(connectPacket(login(device))),
      frame({
        ...connectPacket(login(device)),
        will: {
          topic: deviceTopic(device.id, 'state'),
          payload: Buffer.from('{"online":false}'),
          qos: 1,
          retain: false,
        },
      } as Packet),
      frame({ ...connectPacket(login(device)), protocolId: 'MQIsdp', protocolVersion: 3 } as Packet),
    ];
    const random = seededRandom(SEED);
    const mutants: Mutant[] = [
      ...Array.from({ length: 150 }, (_, i) => mutate(bases[i % bases.length], random)),
      ...Array.from({ length: 50 }, () => noise(random, 200)),
    ];

    await inLanes(mutants, 20, async (mutant) => {
      const socket = await RawMqttSocket.open(rig.mqttPort, { localAddress: attackerAddress() });
      socket.send(mutant.bytes);
      const connack = await socket.next('connack', CONNECT_TIMEOUT_MS + 2000);
      const code = connack?.cmd === 'connack' ? connack.returnCode : undefined;
      const parsed = parsedAs(mutant.bytes);
      const genuine =
        parsed?.cmd === 'connect' &&
        parsed.clientId === device.id &&
        parsed.username === device.id &&
        parsed.password?.toString() === device.secret;
      if (code === 0) rig.tally.record(category, genuine, `${mutant.how}: accepted a login the bytes do not carry`);
      else if (code !== undefined || socket.isClosed) rig.tally.record(category, true, mutant.how);
      else
        rig.tally.record(
          category,
          false,
          `${mutant.how}: neither answered nor closed after ${CONNECT_TIMEOUT_MS + 2000} ms`,
        );
      await socket.destroy();
    });

    expect(rig.tally.wrong(category)).toEqual([]);
    expect(await rig.checkSurvived(category)).toBe(true);
  });

  it('closes or keeps serving a logged-in device after each corrupted packet, never hangs, and stores nothing for anyone else', async () => {
    const category = 'mutated packets after CONNECT';
    const lanes = await Promise.all(Array.from({ length: 10 }, () => rig.provision()));
    const random = seededRandom(SEED + 1);
    const basesOf = (d: PublishingDevice): Buffer[] => [
      frame(publish(d.id, JSON.stringify({ values: { co2: 600, temperature: 21 } }))),
      frame(publish(d.id, JSON.stringify({ readings: [{ values: { co2: 610 } }, { values: { co2: 620 } }] }), 0)),
      frame(publish(d.id, JSON.stringify({ values: { humidity: 40 } }), 2)),
      frame({ cmd: 'subscribe', messageId: 2, subscriptions: [{ topic: deviceTopic(d.id, 'commands'), qos: 1 }] }),
      frame({ cmd: 'unsubscribe', messageId: 3, unsubscriptions: [deviceTopic(d.id, 'commands')] }),
      frame({ cmd: 'puback', messageId: 4 }),
      frame({ cmd: 'pubrel', messageId: 5 }),
      frame({ cmd: 'pingreq' }),
    ];
    const inputs = Array.from({ length: 200 }, (_, i) => i);

    await inLanes(inputs, lanes.length, async (i, lane) => {
      const device = lanes[lane];
      const bases = basesOf(device);
      const mutant = mutate(bases[i % bases.length], random);
      const { socket, returnCode } = await RawMqttSocket.login(rig.mqttPort, login(device, 1), {
        localAddress: attackerAddress(),
      });
      if (returnCode !== 0) {
        rig.tally.record(category, false, `${mutant.how}: could not log in (CONNACK ${returnCode})`);
        return socket.destroy();
      }
      socket.send(mutant.bytes);
      socket.send({ cmd: 'pingreq' });
      // Keep-alive 1 s: a connection stuck inside a frame is closed after 1.5 s at the latest.
      const pong = await socket.next('pingresp', 3500);
      rig.tally.record(
        category,
        pong !== undefined || socket.isClosed,
        `${mutant.how}: neither answered PINGREQ nor closed`,
      );
      await socket.destroy();
    });

    expect(rig.tally.wrong(category)).toEqual([]);
    const allowed = new Set([...lanes.map((d) => d.id), rig.probeId]);
    expect((await rig.devicesWithPoints('building')).filter((id) => !allowed.has(id))).toEqual([]);
    expect(await rig.checkSurvived(category)).toBe(true);
  });
});

/** A PUBLISH fixed header declaring `declared` bytes of remaining length, followed by a topic. */
function publishHeader(topic: string, declared: number): Buffer {
  const length: number[] = [];
  let value = declared;
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    length.push(byte);
  } while (value > 0);
  const topicBytes = Buffer.from(topic);
  return Buffer.concat([
    Buffer.from([0x32, ...length]),
    Buffer.from([topicBytes.length >> 8, topicBytes.length & 0xff]),
    topicBytes,
    Buffer.from([0, 1]),
  ]);
}

describe('oversized packets', () => {
  const category = 'oversized packets';

  it(`closes a connection whose packet declares more than ${MAX_PACKET} bytes on its header alone, before or after login, counts it, and stores nothing from it`, async () => {
    const device = await rig.provision();
    const cases: Array<[what: string, send: (s: RawMqttSocket) => void, loggedIn: boolean]> = [
      [
        'a PUBLISH declaring 100 MB (header and 64 KiB sent)',
        (s) =>
          s.send(
            Buffer.concat([
              publishHeader(deviceTopic(device.id, 'telemetry'), 100_000_000),
              Buffer.alloc(65_536, 0x20),
            ]),
          ),
        true,
      ],
      [
        'a PUBLISH declaring the MQTT maximum of 256 MB',
        (s) => s.send(publishHeader(deviceTopic(device.id, 'telemetry'), 268_435_455)),
        true,
      ],
      [
        'a 300 KiB PUBLISH sent in full',
        (s) => s.send(publish(device.id, `{"values":{"co2":500},"pad":"${'x'.repeat(300_000)}"}`)),
        true,
      ],
      [
        'a SUBSCRIBE of 12,000 topic filters (300 KiB)',
        (s) =>
          s.send({
            cmd: 'subscribe',
            messageId: 9,
            subscriptions: Array.from({ length: 12_000 }, (_, i) => ({
              topic: `devices/${device.id}/commands/${String(i).padStart(10, '0')}`,
              qos: 0,
            })),
          }),
        true,
      ],
      [
        'a CONNECT declaring 10 MB before any login',
        (s) => s.send(Buffer.concat([Buffer.from([0x10, 0x80, 0xad, 0xe2, 0x04]), Buffer.alloc(1024, 0x41)])),
        false,
      ],
      [
        'a CONNECT with a 1 MB password',
        (s) => s.send({ ...connectPacket(login(device)), password: Buffer.alloc(1_000_000, 0x41) } as Packet),
        false,
      ],
      ['a remaining length of five bytes', (s) => s.send(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])), false],
    ];
    const tooLargeBefore = await rig.metric('citypulse_mqtt_connection_errors_total{kind="packet_too_large"}');
    for (const [what, send, loggedIn] of cases) {
      const socket = loggedIn
        ? (await RawMqttSocket.login(rig.mqttPort, login(device), { localAddress: attackerAddress() })).socket
        : await RawMqttSocket.open(rig.mqttPort, { localAddress: attackerAddress() });
      send(socket);
      const closed = await socket.closesWithin(3000);
      rig.tally.record(
        category,
        closed && !socket.replies.some((p) => p.cmd === 'puback' || p.cmd === 'suback'),
        `${what}: ${closed ? 'answered' : 'still open after 3 s'}`,
      );
      await socket.destroy();
    }
    expect(rig.tally.wrong(category)).toEqual([]);
    expect(await rig.devicesWithPoints('building')).not.toContain(device.id);
    // Closed by the size guard (not a timeout), and counted for operators: every case but the
    // malformed length (a malformed_packet) is a packet_too_large.
    const tooLargeAfter = await rig.metric('citypulse_mqtt_connection_errors_total{kind="packet_too_large"}');
    expect(tooLargeAfter - tooLargeBefore).toBe(cases.length - 1);
  });

  it('answers a payload between the payload limit and the packet limit with payload_too_large on the error topic, keeping the connection', async () => {
    const device = await rig.provision();
    const { socket } = await RawMqttSocket.login(rig.mqttPort, login(device), { localAddress: attackerAddress() });
    socket.send({
      cmd: 'subscribe',
      messageId: 1,
      subscriptions: [{ topic: deviceTopic(device.id, 'errors'), qos: 0 }],
    });
    await socket.next('suback', 2000);
    socket.send(publish(device.id, `{"values":{"co2":500},"pad":"${'x'.repeat(200_000)}"}`));
    const error = await socket.next('publish', 3000);
    const body = error?.cmd === 'publish' ? JSON.parse(error.payload.toString()) : undefined;
    const ok = body?.rejected?.[0]?.reason === 'payload_too_large' && !socket.isClosed;
    rig.tally.record(category, ok, `200 KB payload: ${JSON.stringify(body)} closed=${socket.isClosed}`);
    await socket.destroy();
    expect(ok).toBe(true);
    expect(await rig.checkSurvived(category)).toBe(true);
  });
});

describe('slow and half-open connections', () => {
  const category = 'slow and half-open connections';
  const closedInTime = (afterMs: number | undefined, fromMs: number, toMs: number) =>
    afterMs !== undefined && afterMs >= fromMs && afterMs <= toMs;

  it(`closes connections that send nothing, half a CONNECT, or a CONNECT a byte at a time, once the ${CONNECT_TIMEOUT_MS} ms CONNECT timeout passes`, async () => {
    const device = await rig.provision();
    const connect = frame(connectPacket(login(device)));
    const cases: Array<[what: string, act: (s: RawMqttSocket) => Promise<void> | void]> = [
      ['a connection that sends nothing', () => undefined],
      ['half a CONNECT', (s) => s.send(connect.subarray(0, Math.floor(connect.length / 2)))],
      ['only the first byte of a CONNECT', (s) => s.send(connect.subarray(0, 1))],
      [
        'a CONNECT trickled one byte every 150 ms',
        async (s) => {
          for (let i = 0; i < connect.length && !s.isClosed; i++) {
            s.send(connect.subarray(i, i + 1));
            await new Promise((r) => setTimeout(r, 150));
          }
        },
      ],
    ];
    await Promise.all(
      cases.map(async ([what, act]) => {
        const socket = await RawMqttSocket.open(rig.mqttPort, { localAddress: attackerAddress() });
        void act(socket);
        await socket.closesWithin(CONNECT_TIMEOUT_MS + 3000);
        const ok =
          closedInTime(socket.closedAfterMs, CONNECT_TIMEOUT_MS - 100, CONNECT_TIMEOUT_MS + 3000) &&
          !socket.replies.some((p) => p.cmd === 'connack');
        rig.tally.record(
          category,
          ok,
          `${what}: closed after ${socket.closedAfterMs} ms, replies ${socket.replies.map((p) => p.cmd).join(',')}`,
        );
        await socket.destroy();
      }),
    );
    expect(rig.tally.wrong(category)).toEqual([]);
  });

  it('closes a logged-in connection that goes silent past 1.5 × its keep-alive', async () => {
    const device = await rig.provision();
    const { socket, returnCode } = await RawMqttSocket.login(rig.mqttPort, login(device, 1), {
      localAddress: attackerAddress(),
    });
    expect(returnCode).toBe(0);
    const openedAt = Date.now();
    await socket.closesWithin(5000);
    const silentMs = Date.now() - openedAt;
    const ok = socket.isClosed && silentMs >= 1400 && silentMs <= 4000;
    rig.tally.record(category, ok, `keep-alive 1 s: closed=${socket.isClosed} after ${silentMs} ms of silence`);
    await socket.destroy();
    expect(ok).toBe(true);
  });

  it(`holds a keep-alive of 0 (none) or above the maximum to the broker's ${MAX_KEEPALIVE_S} s: a silent connection is closed after 1.5 × that`, async () => {
    // One device each: a second login with the same id would take over the first.
    await Promise.all(
      [0, 20, 65_535].map(async (keepaliveS) => {
        const device = await rig.provision();
        // From before the CONNECT is sent: the broker's timer starts later, never earlier.
        const openedAt = Date.now();
        const { socket, returnCode } = await RawMqttSocket.login(rig.mqttPort, login(device, keepaliveS), {
          localAddress: attackerAddress(),
        });
        await socket.closesWithin(MAX_KEEPALIVE_S * 1500 + 4000);
        const silentMs = Date.now() - openedAt;
        const ok = returnCode === 0 && socket.isClosed && silentMs >= MAX_KEEPALIVE_S * 1500;
        rig.tally.record(
          category,
          ok,
          `keep-alive ${keepaliveS} s: CONNACK ${returnCode}, closed=${socket.isClosed} after ${silentMs} ms ` +
            `of silence`,
        );
        await socket.destroy();
      }),
    );
    expect(rig.tally.wrong(category)).toEqual([]);
  });

  it('sheds 300 idle connections opened at once from one address while devices keep connecting and publishing', async () => {
    const sockets = await Promise.all(
      Array.from({ length: 300 }, () => RawMqttSocket.open(rig.mqttPort, { localAddress: '127.0.99.1' })),
    );
    // While they sit there, the service still takes new devices and readings.
    const servingMeanwhile = await rig.stillServing();
    await Promise.all(sockets.map((s) => s.closesWithin(CONNECT_TIMEOUT_MS + 3000)));
    const lingering = sockets.filter((s) => !s.isClosed).length;
    rig.tally.record(
      category,
      servingMeanwhile && lingering === 0,
      `300 idle sockets: ${lingering} still open, serving meanwhile ${servingMeanwhile}`,
    );
    await Promise.all(sockets.map((s) => s.destroy()));
    expect({ servingMeanwhile, lingering }).toEqual({ servingMeanwhile: true, lingering: 0 });
    expect(await rig.checkSurvived(category)).toBe(true);
  });
});

describe('CONNECT without credentials', () => {
  const category = 'CONNECT without credentials';

  it('answers a CONNECT without a username, or without a password, with CONNACK 4 (bad user name or password) rather than a silent close', async () => {
    const device = await rig.provision();
    const cases: Array<[what: string, login: { clientId: string; username?: string; password?: string }]> = [
      ['no username and no password', { clientId: device.id }],
      ['no username, an empty client id', { clientId: '' }],
      ['a username but no password', { clientId: device.id, username: device.id }],
    ];
    for (const [what, attempt] of cases) {
      const { socket, returnCode } = await RawMqttSocket.login(rig.mqttPort, attempt, {
        localAddress: attackerAddress(),
      });
      rig.tally.record(category, returnCode === 4, `${what}: CONNACK ${returnCode}`);
      await socket.destroy();
    }
    // A password without a username [MQTT-3.1.2-22]: mqtt-packet will not generate it, so by hand.
    const id = Buffer.from(device.id);
    const secret = Buffer.from(device.secret);
    const body = Buffer.concat([
      Buffer.from([0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 0x42, 0, 60]),
      Buffer.from([0, id.length]),
      id,
      Buffer.from([0, secret.length]),
      secret,
    ]);
    const socket = await RawMqttSocket.open(rig.mqttPort, { localAddress: attackerAddress() });
    socket.send(Buffer.concat([Buffer.from([0x10, body.length]), body]));
    const connack = await socket.next('connack', 3000);
    rig.tally.record(
      category,
      connack?.cmd === 'connack' && connack.returnCode === 4,
      `a password without a username: ${JSON.stringify(connack)}`,
    );
    await socket.destroy();
    expect(rig.tally.wrong(category)).toEqual([]);
    expect(await rig.checkSurvived(category)).toBe(true);
  });
});

describe('well-behaved devices publishing throughout', () => {
  it('lost none of their PUBACKed readings', async () => {
    expect(await rig.bystandersStillAcked()).toBeGreaterThan(100);
    expect(await rig.bystandersLost()).toEqual([]);
  });
});
