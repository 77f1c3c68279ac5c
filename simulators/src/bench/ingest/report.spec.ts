import { ceilingRows, plainBridgeRows, usText } from './report.js';
import type { CeilingBaseline } from './influx-ceiling.js';
import { ceilingBudget } from './ceiling-budget.js';
import type { PlainBridgeBaseline } from './plain-bridge.js';
import { formatRows } from '../common/text-table.js';

const bridge: PlainBridgeBaseline = {
  mosquittoVersion: '2.0.11',
  subscriberQos: 1,
  batchLines: 5000,
  flushMs: 100,
  maxWritesInFlight: 2,
  nodeArgs: [],
  durationS: 5,
  messagesPublished: 130_000,
  readingsPublished: 130_000,
  messagesAcked: 130_000,
  readingsAcked: 130_000,
  stored: 129_990,
  lost: 10,
  drained: true,
  endToEndS: 5.2,
  endToEndReadingsPerSecond: 24_998,
  publishPhaseReadingsPerSecond: 26_000,
  ackLatency: { count: 1, meanUs: 1, p50Us: 1000, p90Us: 1000, p99Us: 12_500, p999Us: 1, maxUs: 1 },
  influxWrites: { count: 30, failedLines: 10 },
  cpuPercentOfCore: { bridge: 60 },
  cpuUsPerReading: { mosquitto: 4.5, bridge: 12.25 },
};

describe('plainBridgeRows', () => {
  it('prints the rate, what was lost, the CPU per reading of each process and ours as a multiple', () => {
    expect(formatRows(plainBridgeRows(bridge, 1.5432)).split('\n')).toEqual([
      '  plain bridge (Mosquitto 2.0.11 → 1 Node subscriber → InfluxDB)  24,998 readings/s end to end  (129,990 ' +
        'stored of 130,000 PUBACKed, 10 LOST, 10 in failed writes, 5.20 s; PUBACK p99 12.5 ms)',
      '    CPU per reading, first publish → stored                       mosquitto 4.50 µs, bridge 12.25 µs   ' +
        '(QoS 1 subscription, 5,000 lines or 100 ms per write, 2 in flight)',
      '    ours as a multiple of it                                      ×1.54',
    ]);
  });

  it('says when it did not drain, and that there is no ratio without one', () => {
    const [rate, , ratio] = plainBridgeRows({ ...bridge, lost: 0, drained: false }, undefined) as Array<
      [string, string]
    >;
    expect(rate[1]).toContain('0 lost, 10 in failed writes, 5.20 s, NOT DRAINED;');
    expect(ratio[1]).toBe('n/a');
  });
});

describe('usText', () => {
  it('lists µs per reading by process, n/a when nothing was stored', () => {
    expect(usText({ 'broker+api': 14.2, redis: 3.1 })).toBe('broker+api 14.20 µs, redis 3.10 µs');
    expect(usText({})).toBe('n/a');
  });
});

describe('ceilingRows', () => {
  const ceiling: CeilingBaseline = {
    linesPerSecond: 500_000,
    lines: 300_000,
    elapsedMs: 600,
    batches: 60,
    trialLinesPerSecond: [450_000, 500_000],
    batchSize: 5000,
    concurrency: 2,
    fieldsPerLine: 4,
    cpuPercentOfCore: { influxd: 160, writer: 30 },
    influxdUsPerLine: 4.0833,
  };

  it('prints the ceiling, InfluxDB’s CPU per line at it, our share and what the target share asks', () => {
    const budget = ceilingBudget({
      cores: 2,
      ceilingLinesPerSecond: 500_000,
      share: 0.5,
      usPerReading: { influxd: 4, 'broker+api': 3.5 },
    });
    expect(formatRows(ceilingRows(ceiling, 0.3, budget, 2)).split('\n')).toEqual([
      '  InfluxDB ceiling (direct line protocol)  500,000 lines/s  (best of 450,000 / 500,000; 300,000 lines of 4 ' +
        'fields each, 5,000/batch, concurrency 2)',
      '    CPU while writing                      influxd 160%, writer 30%',
      '    InfluxDB CPU per line                  4.08 µs (all trials)',
      '    ours as a share of it                  30.0%  (×0.300)',
      '    ×0.5 of it would need                  250,000 readings/s on 2 cores = 8.00 µs of CPU per reading; ' +
        "influxd's 4.00 leave 4.00 for the rest, which took 3.50 (broker+api 3.50): within it",
    ]);
  });

  it('leaves out what it could not measure', () => {
    const rows = formatRows(ceilingRows({ ...ceiling, influxdUsPerLine: undefined }, undefined, undefined, 2));
    expect(rows).not.toContain('CPU per line');
    expect(rows).toContain('ours as a share of it                  n/a');
    expect(rows).not.toContain('would need');
  });
});
