import { log } from '../common/bench-log.js';
import type { BenchTls } from '../common/bench-tls.js';
import type { Cleanup } from '../common/cleanup.js';
import { connectAll, disconnectAll, holdAndMeasure, idleBroker, type FleetRig } from './connections-passes.js';
import type { TlsPhase } from './connections-report.js';
import { startBroker, type BrokerStarter } from './connections-storms.js';
import type { ServiceProcess } from '../common/service-process.js';

/**
 * `connections --tls`, after the TCP figures: the fleet on a fresh broker process with its TLS
 * listener, so RSS per connection is measured from an idle start after two connect passes, as
 * over TCP with the default `--storms cached` (each pass leaves garbage that grows the heap).
 * 1. first connect over TLS, full handshakes (the broker checks each secret by login proof or scrypt);
 * 2. reconnect storm over TLS resuming each device's session from that first connect (TLS 1.3
 *    tickets, kept per device by the holders as firmware would; seconds old, well within the
 *    broker's ticket lifetime, Node's default 300 s);
 * 3. the fleet, connected over TLS, held like the TCP fleet: RSS per TLS connection;
 * 4. the same storm over TCP and over TLS with full handshakes. From step 2 on every secret is in
 *    the broker's memory, so the three storms differ by transport only.
 * The previous broker is stopped first, so the two never share the machine's memory or descriptors.
 */
export async function runTlsPhase(o: {
  rig: FleetRig;
  previous: ServiceProcess;
  starter: BrokerStarter;
  tls: BenchTls;
  cleanup: Cleanup;
}): Promise<{ broker: ServiceProcess; phase: TlsPhase }> {
  const { rig, tls } = o;
  await disconnectAll(rig, o.previous);
  await o.previous.stop();
  const broker = await startBroker('broker (TLS)', {
    ...o.starter,
    env: { ...o.starter.env, ...tls.env },
    stamp: `${o.starter.stamp}-tls`,
  });
  o.cleanup.add(`stop ${broker.name}`, () => broker.stop());
  log(`${broker.name} pid ${broker.pid}, MQTT 127.0.0.1:${broker.mqttPort}, TLS 127.0.0.1:${tls.port}`);
  const idle = await idleBroker(broker, rig.token);
  const ca = tls.ca.toString('utf8');
  const overTls = (resume: boolean) => ({ port: tls.port, tls: { ca, resume } });

  const first = await connectAll(rig, broker, 'first connect over TLS (full handshakes)', overTls(false));
  await disconnectAll(rig, broker);
  const tlsResumed = await connectAll(rig, broker, 'reconnect storm over TLS, resuming sessions', overTls(true));
  const held = await holdAndMeasure(rig, broker, idle);
  await disconnectAll(rig, broker);
  const tcp = await connectAll(rig, broker, 'reconnect storm over TCP');
  await disconnectAll(rig, broker);
  const tlsFull = await connectAll(rig, broker, 'reconnect storm over TLS, full handshakes', overTls(false));
  return { broker, phase: { first, storms: { tcp, tlsFull, tlsResumed }, ...held } };
}
