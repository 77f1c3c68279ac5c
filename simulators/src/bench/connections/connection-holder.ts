/**
 * A connection holder: a child process of the connections bench that opens its share of device
 * connections (raw MQTT over TCP or TLS, see MqttConnection) and keeps them alive — each its own
 * PINGREQs from its CONNACK on, and while holding one QoS 1 reading every publish interval, spread
 * evenly over time — until told to stop. Several holders, because one process may have only so many open files
 * (RLIMIT_NOFILE).
 */
import { deviceTopic } from '@citypulse/contracts';
import type { Packet } from 'mqtt-packet';
import { connectFleet } from '../common/connect-fleet.js';
import {
  failureKind,
  type ConnectCommand,
  type HeldReply,
  type HoldCommand,
  type HolderCommand,
  type HolderReply,
} from './holder-protocol.js';
import { MeterReadings } from '../common/meter-readings.js';
import type { MqttConnection } from '../common/mqtt-connection.js';

interface Held {
  connection: MqttConnection;
  topic: string;
  readings: MeterReadings;
  messageId: number;
  /** performance.now() of the publish awaiting its PUBACK; 0 when none. */
  sentAt: number;
  open: boolean;
}

let held: Held[] = [];
/** Each device's latest TLS session ticket, kept from one connection to the next as a device would. */
const sessions = new Map<string, Buffer>();

const send = (reply: HolderReply) => process.send!(reply);

async function connect(command: ConnectCommand): Promise<void> {
  const { tls } = command;
  // Pings from each CONNACK: a storm of many thousands lasts longer than a keepalive, and a
  // schedule started only once all were connected left the first ones silent past 1.5 keepalives.
  const result = await connectFleet(command.devices, {
    ...command,
    ping: true,
    tlsFor: tls && ((id) => ({ ca: tls.ca, session: tls.resume ? sessions.get(id) : undefined })),
  });
  const failureReasons: Record<string, number> = {};
  for (const failure of result.failures)
    failureReasons[failureKind(failure)] = (failureReasons[failureKind(failure)] ?? 0) + 1;
  held = result.connections.map((connection, i) => {
    const h: Held = {
      connection,
      topic: deviceTopic(connection.clientId, 'telemetry'),
      readings: new MeterReadings(i + 1),
      messageId: 0,
      sentAt: 0,
      open: true,
    };
    connection.onClose = () => (h.open = false);
    return h;
  });
  send({
    cmd: 'connected',
    connected: held.length,
    failed: result.failures.length,
    failureReasons,
    latenciesMs: result.latenciesMs.map((ms) => Math.round(ms * 100) / 100),
    wallMs: result.wallMs,
    gaveUp: result.gaveUp,
    resumed: result.connections.filter((c) => c.tlsResumed).length,
  });
}

async function hold(command: HoldCommand): Promise<void> {
  const reply: HeldReply = {
    cmd: 'held',
    openAtStart: held.filter((h) => h.open).length,
    openAtEnd: 0,
    published: 0,
    acked: 0,
    pingreqs: 0,
    pingresps: 0,
    lost: 0,
    ackLatenciesMs: [],
  };
  for (const h of held) {
    h.connection.onPacket = (packet: Packet) => {
      if (packet.cmd === 'puback' && packet.messageId === h.messageId && h.sentAt > 0) {
        reply.ackLatenciesMs.push(Math.round((performance.now() - h.sentAt) * 100) / 100);
        h.sentAt = 0;
        reply.acked++;
      }
    };
    h.connection.onClose = () => {
      if (h.open) reply.lost++;
      h.open = false;
    };
  }
  // Ten ticks a second: connection i publishes in slot i mod (10 × interval), so the broker sees
  // an even trickle, not a burst each second. Pings are each connection's own (MqttConnection).
  const publishSlots = Math.max(1, command.publishIntervalS * 10);
  let tick = 0;
  const publisher = setInterval(() => {
    const publishSlot = tick % publishSlots;
    for (let i = publishSlot; i < held.length; i += publishSlots) {
      const h = held[i];
      if (!h.open || h.sentAt > 0) continue; // still waiting for the last PUBACK: do not pile up
      h.messageId = (h.messageId % 65_535) + 1;
      h.sentAt = performance.now();
      h.connection.write({
        cmd: 'publish',
        topic: h.topic,
        payload: h.readings.payload(1),
        qos: 1,
        messageId: h.messageId,
        retain: false,
        dup: false,
      });
      reply.published++;
    }
    tick++;
  }, 100);
  await new Promise((r) => setTimeout(r, command.seconds * 1000));
  clearInterval(publisher);
  // The last publishes' PUBACKs, so the latencies are not cut short.
  await new Promise((r) => setTimeout(r, 2000));
  // Since each CONNACK, not since the hold began: a ping sent just before it is answered within it.
  const { sent, answered } = pings();
  reply.pingreqs = sent;
  reply.pingresps = answered;
  reply.openAtEnd = held.filter((h) => h.open).length;
  send(reply);
}

function pings(): { sent: number; answered: number } {
  let sent = 0;
  let answered = 0;
  for (const { connection } of held) {
    sent += connection.pingreqs;
    answered += connection.pingresps;
  }
  return { sent, answered };
}

/** Closes connections, keeping the TLS session each one was last given. */
function close(closing: readonly Held[]): Promise<void[]> {
  for (const { connection } of closing)
    if (connection.tlsSession) sessions.set(connection.clientId, connection.tlsSession);
  return Promise.all(closing.map((h) => h.connection.close()));
}

async function disconnect(): Promise<void> {
  await close(held);
  held = [];
  send({ cmd: 'disconnected' });
}

async function release(count: number): Promise<void> {
  await close(held.splice(held.length - Math.min(count, held.length)));
  send({ cmd: 'released', open: held.length });
}

process.on('message', (command: HolderCommand) => {
  const work =
    command.cmd === 'connect'
      ? connect(command)
      : command.cmd === 'hold'
        ? hold(command)
        : command.cmd === 'disconnect'
          ? disconnect()
          : command.cmd === 'release'
            ? release(command.count)
            : Promise.resolve(process.exit(0));
  work.catch((err: Error) => send({ cmd: 'error', message: err.stack ?? err.message }));
});
process.on('disconnect', () => process.exit(0));
