import { PassThrough } from 'node:stream';
import { Aedes } from 'aedes';
import { AEDES_VERSION_READ } from './internals.js';

interface RequiredInternal {
  /** Where it lives, as the error names it: `broker.…` or `client.…`. */
  name: string;
  expected: string;
  /** Which part of the broker breaks without it. */
  usedBy: string;
  holds(value: unknown): boolean;
}

const isFunction = (value: unknown) => typeof value === 'function';
const isRecord = (value: unknown) => typeof value === 'object' && value !== null;
const isMessageId = (value: unknown) => Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535;

/** Every aedes internal that ./internals.ts and ./patches.ts rely on. */
const REQUIRED: readonly RequiredInternal[] = [
  {
    name: 'broker.clients',
    expected: 'an object of clients by id',
    usedBy: 'device delivery, device control, presence',
    holds: isRecord,
  },
  { name: 'broker.counter', expected: 'an integer', usedBy: 'puback tracker', holds: Number.isInteger },
  {
    name: 'broker.persistence.outgoingClearMessageId',
    expected: 'a function',
    usedBy: 'puback tracker',
    holds: isFunction,
  },
  { name: 'broker.persistence.outgoingEnqueue', expected: 'a function', usedBy: 'puback tracker', holds: isFunction },
  {
    name: 'broker.publish',
    expected: 'a function of (packet, client, done)',
    usedBy: 'telemetry routing',
    holds: (value) => isFunction(value) && (value as () => void).length === 3,
  },
  { name: 'client._nextId', expected: 'a packet identifier (1-65535)', usedBy: 'puback tracker', holds: isMessageId },
  {
    name: 'client._disconnected',
    expected: 'a boolean',
    usedBy: 'disconnect reasons',
    holds: (value) => typeof value === 'boolean',
  },
  { name: 'client._parser.parse', expected: 'a function', usedBy: 'packet-size guard', holds: isFunction },
  {
    name: 'client.subscriptions',
    expected: 'an object of subscriptions by filter',
    usedBy: 'device delivery',
    holds: isRecord,
  },
  {
    name: 'client.will',
    expected: 'a field (null until CONNECT)',
    usedBy: 'presence',
    holds: (value) => value === null,
  },
  { name: 'client.deliverQoS', expected: 'a function', usedBy: 'puback tracker', holds: isFunction },
  { name: 'client.pause', expected: 'a function', usedBy: 'read admission', holds: isFunction },
  { name: 'client.resume', expected: 'a function', usedBy: 'read admission', holds: isFunction },
];

/**
 * Run once at boot, after listen() (the persistence exists only then): throws, naming each missing
 * internal and the aedes version the door was written against, if this aedes is not the one
 * ./internals.ts was read from. Client fields are read from a probe client on a throwaway,
 * never-listened aedes — the same Client class, with no persistence to touch when it closes.
 */
export function assertAedesInternals(broker: Aedes): void {
  const probeBroker = new Aedes();
  const probe = probeBroker.handle(new PassThrough());
  try {
    assertInternals(broker, probe);
  } finally {
    probe.close();
  }
}

/** The check itself, on a listened broker and a client it has not yet connected. */
export function assertInternals(broker: object, client: object): void {
  const roots: Record<string, unknown> = { broker, client };
  const missing = REQUIRED.filter((internal) => !internal.holds(read(roots, internal.name)));
  if (missing.length === 0) return;
  const installed = (broker as { version?: unknown }).version;
  throw new Error(
    `aedes ${typeof installed === 'string' ? installed : '(version unknown)'} lacks internals the broker relies on ` +
      `(apps/broker/src/aedes/ was written against aedes ${AEDES_VERSION_READ}; review it for this version):\n` +
      missing.map((internal) => `  - ${internal.name}: expected ${internal.expected} (${internal.usedBy})`).join('\n'),
  );
}

function read(roots: Record<string, unknown>, path: string): unknown {
  let value: unknown = roots;
  for (const key of path.split('.'))
    value = isRecord(value) || isFunction(value) ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}
