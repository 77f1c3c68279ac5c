import { faultTable, type FaultOutcome } from './fault-report.js';

const outcome = (fault: string, drainMs: number | null): FaultOutcome => ({
  fault,
  outageMs: 60_000,
  published: 48_000,
  acked: 47_990,
  ackedStored: 47_990,
  lost: 0,
  duplicates: 0,
  storedWithoutAck: 3,
  peakBacklog: 45_000,
  drainMs,
  alertsExpected: 1,
  alertsRaised: 1,
  healthyProcesses: 4,
});

describe('the fault table', () => {
  it('prints one aligned row per fault under a header, with outage and drain in seconds, alerts as raised/expected and healthy processes of four', () => {
    const lines = faultTable([outcome('InfluxDB stopped', 2_340), outcome('broker SIGKILL', null)]).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(
      /^fault\s+outage\s+published\s+PUBACKed\s+stored\s+lost\s+duplicates\s+peak backlog\s+drain\s+alerts\s+healthy$/,
    );
    expect(lines[2]).toMatch(
      /^InfluxDB stopped\s+60\.0 s\s+48000\s+47990\s+47990\s+0\s+0\s+45000\s+2\.3 s\s+1\/1\s+4\/4$/,
    );
    expect(lines[3]).toMatch(/\s+never\s+1\/1\s+4\/4$/);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
  });
});
