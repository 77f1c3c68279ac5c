import mqttPacket from 'mqtt-packet';
import { LoadGenerator, type LatencySummary } from '../common/load-generator.js';
import { MqttConnection } from '../common/mqtt-connection.js';
import { CpuWatch } from '../common/proc-stats.js';
import { startMosquitto, type MosquittoProcess } from './mosquitto-process.js';

export interface MosquittoBaselineOptions {
  binary: string;
  /** Config, log and nothing else go here. */
  workDir: string;
  devices: number;
  window: number;
  batch: number;
  durationMs: number;
  /** QoS of the counting subscriber's subscription to devices/#. */
  subscriberQos: 0 | 1;
}

export interface MosquittoBaseline {
  subscriberQos: 0 | 1;
  durationS: number;
  messagesPublished: number;
  messagesAcked: number;
  messagesReceived: number;
  /**
   * Messages delivered to the subscriber per second, first publish → last delivery (same definition as our end-to-end
   * rate).
   */
  forwardedPerSecond: number;
  /** The same in readings (× readings per publish). */
  readingsPerSecond: number;
  /** Delivered within the publish phase ÷ its length. */
  receivedPerSecondDuringPublish: number;
  ackLatency: LatencySummary;
  mosquittoVersion: string;
  /** Over the publish phase, % of one core; `others` high means the figure is noisy. */
  cpuPercentOfCore: Record<string, number>;
}

/**
 * What plain MQTT forwarding costs on this machine: Mosquitto (C, no auth, no validation, no
 * durability) driven by the same load generator and devices as the real run, with one subscriber
 * counting what comes out. The rate our pipeline reaches is quoted as a share of this.
 */
export async function measureMosquitto(options: MosquittoBaselineOptions): Promise<MosquittoBaseline> {
  const broker = await startMosquitto(options.binary, options.workDir);
  try {
    return await drive(broker, options);
  } finally {
    await broker.stop();
  }
}

async function drive(broker: MosquittoProcess, options: MosquittoBaselineOptions): Promise<MosquittoBaseline> {
  const { port } = broker;
  const subscriber = await MqttConnection.open({ host: '127.0.0.1', port, clientId: 'bench-subscriber' });
  let received = 0;
  let lastReceivedAt = 0;
  let subscribed!: () => void;
  const suback = new Promise<void>((resolve) => (subscribed = resolve));
  subscriber.onPacket = (packet) => {
    if (packet.cmd === 'publish') {
      received++;
      lastReceivedAt = Date.now();
      if (packet.qos === 1)
        subscriber.socket.write(mqttPacket.generate({ cmd: 'puback', messageId: packet.messageId }));
    } else if (packet.cmd === 'suback') {
      subscribed();
    }
  };
  subscriber.write({
    cmd: 'subscribe',
    messageId: 1,
    subscriptions: [{ topic: 'devices/#', qos: options.subscriberQos }],
  });
  await suback;

  const generator = await LoadGenerator.connect({
    host: '127.0.0.1',
    port,
    publishers: Array.from({ length: options.devices }, (_, i) => ({
      clientId: `bench-pub-${i + 1}`,
      topic: `devices/bench-pub-${i + 1}/telemetry`,
      seed: i + 1,
    })),
    window: options.window,
    durationMs: options.durationMs,
    rate: 0,
    batch: options.batch,
    settleTimeoutMs: 10_000,
  });
  let receivedAtStop = 0;
  const cpu = new CpuWatch({ mosquitto: broker.pid, generator: process.pid });
  cpu.start();
  let cpuUse: ReturnType<CpuWatch['stop']> | undefined;
  const load = await generator.run(() => {
    receivedAtStop = received;
    cpuUse = cpu.stop();
  });
  // Delivery to the subscriber may trail the PUBACKs to publishers; wait for it to catch up.
  const deadline = Date.now() + 10_000;
  while (received < load.messagesAcked && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await generator.close();
  await subscriber.close();

  const seconds = Math.max(0.001, (lastReceivedAt - load.firstPublishAt) / 1000);
  return {
    subscriberQos: options.subscriberQos,
    durationS: options.durationMs / 1000,
    messagesPublished: load.messagesPublished,
    messagesAcked: load.messagesAcked,
    messagesReceived: received,
    forwardedPerSecond: Math.round(received / seconds),
    readingsPerSecond: Math.round((received * options.batch) / seconds),
    receivedPerSecondDuringPublish: Math.round(receivedAtStop / ((load.publishStoppedAt - load.firstPublishAt) / 1000)),
    ackLatency: load.ackLatency,
    mosquittoVersion: broker.version,
    cpuPercentOfCore: cpuUse?.perProcessPercentOfCore ?? {},
  };
}
