import { SteadyPublisher, waitFor, type PublishingDevice } from '@citypulse/testing';
import { BacklogRecorder, drainFigures } from './backlog-timeline.js';
import type { FaultOutcome } from './fault-report.js';
import type { FaultRig } from './fault-rig.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** electricity-meter.frequency-high: above 50.5 Hz for 10 s of event time raises a critical alert. */
export const CROSSED_RULE = { id: 'frequency-high', field: 'frequency', crossing: 51, forSeconds: 10 };

const normalValues = () => ({
  voltage: 228 + Math.random() * 4,
  current: 5,
  active_power: 1.1,
  power_factor: 0.95,
  frequency: 50,
});

export interface FaultTiming {
  /** When the fault began and when the failed part answered again (epoch ms). */
  faultAtMs: number;
  restoredAtMs: number;
}

/**
 * Steady QoS 1 load from well-behaved meters through a fault, one of which starts crossing an
 * alert threshold the moment the fault begins; then the checks every fault is held to: every
 * PUBACKed reading stored, no point twice, the backlog drained, exactly one alert, and every
 * process healthy again on its own.
 */
export class FaultLoad {
  private crossing = false;
  private readonly publisher: SteadyPublisher;
  private readonly recorder: BacklogRecorder;

  private constructor(
    private readonly rig: FaultRig,
    private readonly devices: PublishingDevice[],
  ) {
    const crosser = devices[devices.length - 1].id;
    const values = (id: string) =>
      this.crossing && id === crosser ? { ...normalValues(), frequency: CROSSED_RULE.crossing } : normalValues();
    this.publisher = new SteadyPublisher(rig.mqttUrl, devices, values);
    this.recorder = new BacklogRecorder(() => rig.backlog());
  }

  /**
   * Four meters at 250 readings/s each: device time (1 ms per reading, shared) then advances at
   * about wall-clock speed, so the crossing device spans the rule's duration in about as many seconds.
   */
  static async start(rig: FaultRig, devices = 4): Promise<FaultLoad> {
    const load = new FaultLoad(rig, await rig.provisionMeters(devices));
    await load.publisher.connect();
    load.publisher.start(20, 5);
    load.recorder.start(100);
    return load;
  }

  get crosserId(): string {
    return this.devices[this.devices.length - 1].id;
  }

  /**
   * Runs the fault with the load on: a quiet lead-in, the fault (the crossing starts with it), then enough load for the
   * rule's duration.
   */
  async through(fault: () => Promise<void>, { leadInMs = 3000, tailMs = 5000 } = {}): Promise<FaultTiming> {
    await sleep(leadInMs);
    const faultAtMs = Date.now();
    this.crossing = true;
    await fault();
    const restoredAtMs = Date.now();
    const crossingLongEnough = faultAtMs + (CROSSED_RULE.forSeconds + 5) * 1000;
    await sleep(Math.max(tailMs, crossingLongEnough - Date.now()));
    return { faultAtMs, restoredAtMs };
  }

  /** Stops publishing, waits for the pipeline to settle, and measures the outcome. */
  async outcome(fault: string, timing: FaultTiming): Promise<FaultOutcome> {
    await this.publisher.stop();
    const acked = this.publisher.acked;
    const allStored = (rows: Map<string, number>) => [...acked].every((k) => rows.has(k));
    const { rows } = await waitFor(
      () => this.rig.storedPoints(),
      (s) => allStored(s.rows),
      {
        timeoutMs: 120_000,
        intervalMs: 1000,
        what: `all ${acked.size} PUBACKed readings in InfluxDB`,
      },
    ).catch(() => this.rig.storedPoints());
    this.recorder.stop();

    const alerts = await this.settledAlerts();
    const ackedStored = [...acked].filter((k) => rows.has(k)).length;
    const { peakReadings, drainMs } = drainFigures(this.recorder.samples, timing.faultAtMs, timing.restoredAtMs, 500);
    return {
      fault,
      outageMs: timing.restoredAtMs - timing.faultAtMs,
      published: this.publisher.sent,
      acked: acked.size,
      ackedStored,
      lost: acked.size - ackedStored,
      duplicates: [...rows.values()].filter((n) => n > 1).length,
      storedWithoutAck: [...rows.keys()].filter((k) => !acked.has(k)).length,
      peakBacklog: peakReadings,
      drainMs: drainMs ?? null,
      alertsExpected: 1,
      alertsRaised: alerts.filter((a) => a.ruleId.endsWith(CROSSED_RULE.id)).length,
      healthyProcesses: (await this.rig.healthyProcesses()).length,
    };
  }

  /** Waits for the crossing device's alert, then a little longer so a doubled one would show too. */
  private async settledAlerts() {
    const alerts = () => this.rig.alertsOf(this.crosserId);
    await waitFor(alerts, (a) => a.length > 0, {
      timeoutMs: 30_000,
      intervalMs: 500,
      what: 'the crossing device’s alert',
    }).catch(() => undefined);
    await sleep(3000);
    return alerts();
  }

  async close(): Promise<void> {
    this.recorder.stop();
    await this.publisher.close();
  }
}
