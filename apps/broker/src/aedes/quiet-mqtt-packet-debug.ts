import { createRequire } from 'node:module';

/**
 * mqtt-packet logs through `debug` a dozen times for every packet it parses or writes (each state
 * of the parser, each length it writes). With its namespaces off, as in production, every call
 * still allocates its arguments array and reads the logger's `enabled` getter: 1.3 µs of the
 * broker's ~35 per single-reading publish in a CPU profile (#20), for output nobody sees.
 *
 * Imported before aedes (which loads mqtt-packet), this hands mqtt-packet a logger that does
 * nothing for each of its namespaces that is off when mqtt-packet loads; `DEBUG=mqtt-packet:*`
 * still gets the real logger and every line. The one thing lost: enabling mqtt-packet's logging
 * later at run time (`debug.enable(…)`), which nothing here does. Every other user of `debug`
 * gets it as it is. Loaded after mqtt-packet (a process that loaded it first, e.g. through
 * MQTT.js), it changes nothing; `quietedDebugNamespaces` says whether it took effect.
 */

/** What mqtt-packet uses of a `debug` logger: it only calls it. */
interface DebugLogger {
  (...args: unknown[]): void;
  enabled: boolean;
  namespace: string;
}

interface CreateDebug {
  (namespace: string): DebugLogger;
  /** Whether `namespace` is on under the DEBUG settings in force. */
  enabled(namespace: string): boolean;
}

const QUIETED_PREFIX = 'mqtt-packet:';
const quieted: string[] = [];

/** The mqtt-packet namespaces given the silent logger so far (empty: this loaded too late, or all were on). */
export function quietedDebugNamespaces(): readonly string[] {
  return quieted;
}

function silentLogger(namespace: string): DebugLogger {
  return Object.assign(() => undefined, { enabled: false, namespace });
}

function quietDebugForMqttPacket(): void {
  // The very `debug` module mqtt-packet will require, resolved the way aedes resolves mqtt-packet.
  const fromHere = createRequire(import.meta.url);
  const mqttPacketEntry = createRequire(fromHere.resolve('aedes')).resolve('mqtt-packet');
  const requireFromMqttPacket = createRequire(mqttPacketEntry);
  const debugPath = requireFromMqttPacket.resolve('debug');
  if (fromHere.cache[mqttPacketEntry] !== undefined) return;
  const createDebug = requireFromMqttPacket('debug') as CreateDebug;
  const cached = fromHere.cache[debugPath];
  if (cached === undefined || cached.exports !== createDebug) return;
  // A proxy: every property of `debug` (enable, formatters, …) stays the live original's.
  cached.exports = new Proxy(createDebug, {
    apply(target, thisArg, args: [string]) {
      const [namespace] = args;
      if (typeof namespace !== 'string' || !namespace.startsWith(QUIETED_PREFIX) || target.enabled(namespace))
        return Reflect.apply<unknown, [string], DebugLogger>(target, thisArg, args);
      quieted.push(namespace);
      return silentLogger(namespace);
    },
  });
}

quietDebugForMqttPacket();
