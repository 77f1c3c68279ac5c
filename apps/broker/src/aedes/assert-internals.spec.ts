import { PassThrough } from 'node:stream';
import { Aedes, type Client } from 'aedes';
import { assertAedesInternals, assertInternals } from './assert-internals.js';

/** A stand-in reading everything through from `root`, except `path`, which reads as undefined. */
function without(root: object, path: string): object {
  const [key, ...rest] = path.split('.');
  const standIn = Object.create(root) as object;
  const value = rest.length > 0 ? without((root as Record<string, object>)[key], rest.join('.')) : undefined;
  Object.defineProperty(standIn, key, { value });
  return standIn;
}

describe('assertAedesInternals', () => {
  let broker: Aedes;
  let client: Client;

  beforeAll(async () => {
    broker = await Aedes.createBroker();
    client = new Aedes().handle(new PassThrough());
  });

  afterAll(async () => {
    client.close();
    await new Promise<void>((resolve) => broker.close(() => resolve()));
  });

  it('passes on the installed aedes once it listens', () => {
    expect(() => assertAedesInternals(broker)).not.toThrow();
  });

  it('refuses a broker that has not listened yet, naming the persistence it lacks', () => {
    expect(() => assertAedesInternals(new Aedes())).toThrow(
      /broker\.persistence\.outgoingClearMessageId: expected a function \(puback tracker\)/,
    );
  });

  it.each([
    'broker.clients',
    'broker.counter',
    'broker.persistence.outgoingClearMessageId',
    'broker.persistence.outgoingEnqueue',
    'broker.publish',
    'client._nextId',
    'client._disconnected',
    'client._parser.parse',
    'client.subscriptions',
    'client.will',
    'client.deliverQoS',
  ])('throws naming %s, and only it, when it is missing', (name) => {
    const [root, ...path] = name.split('.');
    const standIns =
      root === 'broker' ? [without(broker, path.join('.')), client] : [broker, without(client, path.join('.'))];
    let message = '';
    try {
      assertInternals(standIns[0], standIns[1]);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(`  - ${name}: expected`);
    expect(message).toContain('aedes 1.2.0 lacks internals');
    expect(message).toContain('written against aedes 1.2.0');
    expect(message.match(/^ {2}- /gm)).toHaveLength(1);
  });

  it('refuses a publish that no longer takes the publishing client', () => {
    const standIn = Object.create(broker) as object;
    Object.defineProperty(standIn, 'publish', { value: (_packet: object, _done: () => void) => undefined });
    expect(() => assertInternals(standIn, client)).toThrow(
      /broker\.publish: expected a function of \(packet, client, done\)/,
    );
  });
});
