import { join } from 'node:path';
import { DeviceClient, FirmwareUpdater } from '@citypulse/device-client';
import { deviceTypes, FIRMWARE_UPDATE_COMMAND, getDeviceType, type DeviceTypeDefinition } from '@citypulse/devices';
import type { ApiClient } from './api-client.js';
import { ReadingGenerator } from './reading-generator.js';

export interface FleetOptions {
  mqttUrl: string;
  cities: string[];
  intervalMs: number;
  seed: number;
  /** Make one device cross a default alert threshold a few seconds in. */
  demoAlert: boolean;
  /** Where the devices download firmware images to (one folder per device). */
  firmwareDir: string;
  log: (line: string) => void;
}

export interface FleetStats {
  devices: number;
  sent: number;
  acked: number;
  rejectedReadings: number;
}

interface SimDevice {
  id: string;
  city: string;
  type: DeviceTypeDefinition;
  client: DeviceClient;
  generator: ReadingGenerator;
  overrides: Record<string, number>;
}

/**
 * One device of every catalogue type in every city, publishing QoS 1 telemetry through the
 * device-side client (devices/src/client), as firmware would: it also applies desired
 * configuration (reporting it back), answers commands and installs firmware over the air (each
 * device runs 1.0.0 when the fleet starts; "installing" is a log line and a short pause).
 */
export class Fleet {
  private readonly devices: SimDevice[] = [];
  private timer?: NodeJS.Timeout;
  /** The demo's pending steps: a stopped fleet publishes nothing more, and holds no process open. */
  private readonly demoTimers = new Set<NodeJS.Timeout>();
  readonly stats: FleetStats = { devices: 0, sent: 0, acked: 0, rejectedReadings: 0 };

  constructor(
    private readonly api: ApiClient,
    private readonly options: FleetOptions,
  ) {}

  async start(): Promise<void> {
    for (const city of this.options.cities) {
      for (const type of Object.values(deviceTypes)) {
        const id = `sim-${city}-${type.name}-1`;
        const secret = await this.api.provisionOrRotate({
          id,
          type: type.name,
          city,
          site: `${city}-${type.family}-01`,
        });
        this.devices.push(await this.connect(id, city, secret, type));
      }
    }
    this.stats.devices = this.devices.length;
    if (this.options.demoAlert) this.scheduleDemoAlert();
    this.timer = setInterval(() => this.tick(), this.options.intervalMs);
  }

  private async connect(id: string, city: string, secret: string, type: DeviceTypeDefinition): Promise<SimDevice> {
    const { log } = this.options;
    const client = new DeviceClient({ url: this.options.mqttUrl, deviceId: id, secret });
    client.on('rejection', (message) => {
      this.stats.rejectedReadings += message.rejected.length;
      log(`${id} ← errors: ${message.rejected.map((r) => `${r.reason} (${r.detail})`).join('; ')}`);
    });
    client.on('acked', (readings) => (this.stats.acked += readings));
    client.onConfig((desired, message) => {
      log(`${id} ← config v${message.version}: ${JSON.stringify(desired)}`);
      return desired;
    });
    new FirmwareUpdater(client, {
      currentVersion: '1.0.0',
      downloadDir: join(this.options.firmwareDir, id),
      install: (_path, { version }) => log(`${id} installing firmware ${version}`),
      reboot: async (version) => {
        await new Promise((resolve) => setTimeout(resolve, 500));
        log(`${id} now runs firmware ${version}`);
      },
    });
    client.on('command', (command) => {
      if (command.name === FIRMWARE_UPDATE_COMMAND)
        log(`${id} ← firmware-update to ${command.params.version} (${command.params.size} bytes)`);
    });
    for (const name of Object.keys(type.commands)) {
      if (name === FIRMWARE_UPDATE_COMMAND) continue;
      client.handleCommand(name, (params) => {
        log(`${id} ← command ${name} ${JSON.stringify(params)}`);
        return { ok: true };
      });
    }
    await client.start();
    return { id, city, type, client, generator: new ReadingGenerator(type, id, this.options.seed), overrides: {} };
  }

  /** Provisions (or rotates the secret of) and connects one more device, publishing from the next tick. */
  async add(
    id: string,
    typeName: string,
    city: string,
    site: string,
  ): Promise<Pick<SimDevice, 'id' | 'city' | 'overrides'>> {
    const type = getDeviceType(typeName);
    if (!type) throw new Error(`no device type ${typeName}`);
    const secret = await this.api.provisionOrRotate({ id, type: type.name, city, site });
    const device = await this.connect(id, city, secret, type);
    this.devices.push(device);
    this.stats.devices = this.devices.length;
    return device;
  }

  /**
   * The fleet's devices of a type, whose `overrides` a scenario sets (a field's value instead of the generated one).
   */
  devicesOf(typeName: string): Array<Pick<SimDevice, 'id' | 'city' | 'overrides'>> {
    return this.devices.filter((d) => d.type.name === typeName);
  }

  private tick(): void {
    for (const device of this.devices) {
      this.stats.sent++;
      device.client.publish({ ts: Date.now(), values: device.generator.next(device.overrides) });
    }
  }

  /**
   * Pushes the quickest "above" default rule of the fleet (shortest duration) past its threshold
   * for long enough to raise it, so a user sees an alert within seconds; then back to normal.
   */
  private scheduleDemoAlert(): void {
    const candidates = this.devices.flatMap((device) =>
      device.type.defaultRules.filter((r) => r.condition === 'above').map((rule) => ({ device, rule })),
    );
    if (candidates.length === 0) return;
    const { device, rule } = candidates.reduce((a, b) => (b.rule.forSeconds < a.rule.forSeconds ? b : a));
    const spec = device.type.fields[rule.field];
    const value = Math.min(spec.max ?? Infinity, rule.threshold + Math.max(0.2, Math.abs(rule.threshold) * 0.01));
    this.demoStep(3000, () => {
      this.options.log(
        `demo: ${device.id} ${rule.field} → ${value} (rule ${rule.id}: above ${rule.threshold} ` +
          `for ${rule.forSeconds}s)`,
      );
      device.overrides[rule.field] = value;
      this.demoStep((rule.forSeconds + 30) * 1000, () => {
        delete device.overrides[rule.field];
        this.options.log(`demo: ${device.id} ${rule.field} back to normal`);
      });
    });
    // One bad reading too, to show a rejection on the device's error topic.
    this.demoStep(5000, () => {
      this.stats.sent++;
      device.client.publish({ values: { [rule.field]: 'hot' } });
    });
  }

  private demoStep(afterMs: number, step: () => void): void {
    const timer = setTimeout(() => {
      this.demoTimers.delete(timer);
      step();
    }, afterMs);
    this.demoTimers.add(timer);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    for (const timer of this.demoTimers) clearTimeout(timer);
    this.demoTimers.clear();
    await Promise.all(this.devices.map((d) => d.client.close({ drainMs: 2000 })));
  }
}
