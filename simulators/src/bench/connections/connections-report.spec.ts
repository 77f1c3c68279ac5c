import {
  formatConnectionsReport,
  summariseConnect,
  whatLimited,
  type ConnectionsReport,
} from './connections-report.js';

function report(
  brokerOpenFiles: number,
  failureReasons: Record<string, number>,
  held: number,
): { report: ConnectionsReport; pass: ReturnType<typeof summariseConnect> } {
  const failed = Object.values(failureReasons).reduce((a, b) => a + b, 0);
  const pass = summariseConnect(
    [
      {
        cmd: 'connected',
        connected: held,
        failed,
        failureReasons,
        latenciesMs: [1, 2, 3],
        wallMs: 1000,
        gaveUp: failed > 0,
        resumed: 0,
      },
    ],
    {},
    undefined,
    { open: brokerOpenFiles, soft: 20_000, hard: 20_000 },
  );
  const r = {
    config: { connections: 50_000, addresses: 4, holders: 3 },
    limits: { broker: { open: 29, soft: 20_000, hard: 20_000 }, kernel: {} },
    results: { hold: { brokerConnectionsAtEnd: held, openAtEnd: held }, releasedAtWall: 0 },
  } as unknown as ConnectionsReport;
  return { report: r, pass };
}

describe('what limited the connection count', () => {
  it('names the broker’s open-file limit when its descriptors reached it, and that the hard limit could not be raised', () => {
    const { report: r, pass } = report(20_000, { 'connection closed before CONNACK': 1700 }, 19_972);
    const said = whatLimited(r, pass);
    expect(said).toMatch(/open-file limit: 20,000 descriptors open of RLIMIT_NOFILE 20,000/);
    expect(said).toMatch(/CAP_SYS_RESOURCE/);
    expect(said).toMatch(/1,700 × connection closed before CONNACK/);
  });

  it('names the source ports when the failures were EADDRNOTAVAIL, and not the broker', () => {
    const { report: r, pass } = report(
      12_000,
      { 'connect EADDRNOTAVAIL <address> - Local (127.0.0.2:0)': 300 },
      11_950,
    );
    const said = whatLimited(r, pass);
    expect(said).toMatch(/ephemeral ports/);
    expect(said).not.toMatch(/RLIMIT_NOFILE/);
  });

  it('says nothing when the target was held without failures', () => {
    const { report: r, pass } = report(10_029, {}, 50_000);
    expect(whatLimited(r, pass)).toBe('');
  });
});

describe('the connections report with --tls', () => {
  const pass = (connected: number, wallMs: number, resumed = 0) => ({
    ...summariseConnect(
      [
        {
          cmd: 'connected',
          connected,
          failed: 0,
          failureReasons: {},
          latenciesMs: [5],
          wallMs,
          gaveUp: false,
          resumed,
        },
      ],
      {},
    ),
    secretChecks: { memory: connected },
  });
  const held = (rssPerConnectionKb: number) => ({
    releasedAtWall: 0,
    hold: {
      seconds: 60,
      brokerConnectionsAtEnd: 1000,
      openAtEnd: 1000,
      lost: 0,
      published: 10,
      acked: 10,
      pingreqs: 5,
      pingresps: 5,
      ackLatencyMs: { count: 10, p50: 2, p99: 9, max: 12 },
      cpuPercentOfCore: {},
      machineBusyPercent: 50,
      brokerSamples: [],
    },
    broker: { rssMb: { idle: 100, afterHold: 140 }, heapUsedMb: {}, rssPerConnectionKb },
  });
  const report = {
    startedAt: '2026-12-02T15:00:00Z',
    git: { commit: 'abc1234', dirty: false },
    machine: { cores: 2, cpuModel: 'x', memoryMb: 1024, node: 'v20' },
    config: { connections: 1000, addresses: 1, holders: 1, keepaliveS: 60, publishIntervalS: 60 },
    limits: { kernel: {} },
    results: {
      provision: { devices: 1000, seconds: 1 },
      first: pass(1000, 2000),
      reconnects: [],
      ...held(20.5),
      tls: {
        first: pass(1000, 4000),
        storms: { tcp: pass(1000, 1000), tlsFull: pass(1000, 2500), tlsResumed: pass(1000, 1250, 990) },
        ...held(38),
      },
    },
    limitedBy: '',
  } as unknown as ConnectionsReport;

  it('prints RSS per held TLS connection beside TCP, the three storm rates with their ratio to TCP, and how many resumed', () => {
    const text = formatConnectionsReport(report);
    expect(text).toMatch(/RSS per held connection, TLS vs TCP\s+38 vs 20.5 KiB\s+\(TLS − TCP: 17.5 KiB a connection\)/);
    expect(text).toMatch(/over TCP\s+1,000 connected, 0 failed in 1.0 s = 1,000 CONNECTs\/s\n/);
    expect(text).toMatch(/over TLS, full handshakes\s+.* = 400 CONNECTs\/s\s+\(0.40 × TCP\)/);
    expect(text).toMatch(/over TLS, resuming sessions\s+.* = 800 CONNECTs\/s\s+\(0.80 × TCP\)/);
    expect(text).toMatch(/sessions resumed\s+990 of 1,000/);
  });

  it('prints no TLS section without --tls', () => {
    expect(formatConnectionsReport({ ...report, results: { ...report.results, tls: undefined } })).not.toMatch(/TLS/);
  });
});
