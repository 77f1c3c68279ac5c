import {
  optionLines,
  readOptions,
  STACK_OPTIONS,
  type OptionSpec,
  type StackOptions,
} from '../common/bench-options.js';
import { STORMS, type Storm } from './connections-storms.js';

export interface ConnectionsOptions extends StackOptions {
  connections: number;
  /** Loopback source addresses, 127.0.0.2 onwards. */
  addresses: number;
  holdS: number;
  /** CONNECTs started per second at most, over all holders; 0 = as fast as --concurrency allows. */
  rate: number;
  concurrency: number;
  publishIntervalS: number;
  keepaliveS: number;
  perHolder: number;
  /** The reconnect storms to run after the first connect, in order (none with --no-reconnect). */
  storms: Storm[];
  /**
   * Then the same fleet over TLS on a fresh broker: reconnect storm over TCP, TLS full handshakes and TLS resumed; held
   * over TLS.
   */
  tls: boolean;
}

const SPECS = {
  connections: {
    type: 'string',
    default: '50000',
    help: 'device connections to open and hold on the one broker process',
  },
  addresses: {
    type: 'string',
    default: '4',
    help: 'loopback source addresses (127.0.0.2 …), ~28,000 ephemeral ports each',
  },
  hold: { type: 'string', default: '180', help: 'seconds to hold them all, with keepalive and telemetry' },
  rate: {
    type: 'string',
    default: '0',
    help: 'CONNECTs started per second at most; 0 = as fast as --concurrency allows',
  },
  concurrency: { type: 'string', default: '200', help: 'CONNECTs in flight at once, over all holders' },
  'publish-interval': {
    type: 'string',
    default: '60',
    help: 'seconds between one device’s QoS 1 readings during the hold',
  },
  keepalive: { type: 'string', default: '60', help: 'MQTT keepalive in seconds; each device sends PINGREQ this often' },
  'per-holder': {
    type: 'string',
    default: '18000',
    help: 'connections per holder process (each process may open ~20,000 files here)',
  },
  storms: {
    type: 'string',
    default: 'cached',
    help:
      `reconnect storms after the first connect, in order, of ${STORMS.join(', ')}: the same broker, the broker ` +
      `process restarted, every device moved to a second broker process`,
  },
  'no-reconnect': { type: 'boolean', default: false, help: 'skip the reconnect storms (first connect only)' },
  tls: {
    type: 'boolean',
    default: false,
    help:
      'then, on a fresh broker with a TLS listener: the fleet over TLS, the reconnect storm over TCP, TLS and ' +
      'TLS resuming sessions, held over TLS',
  },
  ...STACK_OPTIONS,
} as const satisfies Record<string, OptionSpec>;

export function connectionsHelp(): string {
  return [
    'usage: npm run bench -- connections [options]',
    '',
    'Starts the broker alone in one process (and the API + ingest worker in another), bulk-provisions',
    '--connections devices, opens one raw MQTT connection per device from holder processes spread over',
    '--addresses loopback source addresses (first connect: the broker verifies each scrypt secret), closes',
    'them and connects them all again: to the same broker, after restarting the broker process, or to a',
    'second broker process (--storms; with login proofs in Redis none of them needs scrypt), then',
    'holds them for --hold seconds with a PINGREQ every --keepalive seconds and one QoS 1 reading per device',
    'every --publish-interval seconds. Prints connections held, broker RSS and RSS per connection, CONNECT',
    'rates, PUBACK p50/p99 while holding, the broker’s event-loop lag, and what limited the count.',
    'With --tls it then stops that broker, starts a fresh one with a TLS listener (throw-away CA and',
    'certificate made with openssl), connects the fleet over TLS, runs the reconnect storm over TCP, over',
    'TLS with full handshakes and over TLS resuming each device’s session (TLS 1.3 tickets), holds the fleet',
    'over TLS the same way, and prints RSS per TLS connection beside the TCP figure and the three rates.',
    '',
    ...optionLines(SPECS, 26),
  ].join('\n');
}

export function parseConnectionsOptions(argv: string[]): ConnectionsOptions | 'help' {
  const read = readOptions(argv, SPECS);
  if (read === 'help') return 'help';
  const options: ConnectionsOptions = {
    ...read.stack(),
    connections: read.int('connections', 1, 1_000_000),
    addresses: read.int('addresses', 1, 250),
    holdS: read.int('hold', 1),
    rate: read.int('rate', 0),
    concurrency: read.int('concurrency', 1),
    publishIntervalS: read.int('publish-interval', 1),
    keepaliveS: read.int('keepalive', 5, 65_535),
    perHolder: read.int('per-holder', 100, 60_000),
    storms: read.flag('no-reconnect') ? [] : parseStorms(read.string('storms'), (message) => read.problem(message)),
    tls: read.flag('tls'),
  };
  read.done();
  return options;
}

function parseStorms(list: string, problem: (message: string) => void): Storm[] {
  const storms = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = storms.filter((s) => !(STORMS as readonly string[]).includes(s));
  if (bad.length > 0) problem(`--storms must list some of ${STORMS.join(', ')}, not ${bad.join(', ')}`);
  return storms as Storm[];
}

/** 127.0.0.2, 127.0.0.3 …: every 127/8 address reaches the loopback interface on Linux without configuring it. */
export function loopbackAddresses(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `127.0.${Math.floor((i + 2) / 256)}.${(i + 2) % 256}`);
}
