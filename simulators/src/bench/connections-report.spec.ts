import { summariseConnect, whatLimited, type ConnectionsReport } from './connections-report.js';

function report(brokerOpenFiles: number, failureReasons: Record<string, number>, held: number): { report: ConnectionsReport; pass: ReturnType<typeof summariseConnect> } {
  const failed = Object.values(failureReasons).reduce((a, b) => a + b, 0);
  const pass = summariseConnect([{ cmd: 'connected', connected: held, failed, failureReasons, latenciesMs: [1, 2, 3], wallMs: 1000, gaveUp: failed > 0 }], {}, undefined, { open: brokerOpenFiles, soft: 20_000, hard: 20_000 });
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
    const { report: r, pass } = report(12_000, { 'connect EADDRNOTAVAIL <address> - Local (127.0.0.2:0)': 300 }, 11_950);
    const said = whatLimited(r, pass);
    expect(said).toMatch(/ephemeral ports/);
    expect(said).not.toMatch(/RLIMIT_NOFILE/);
  });

  it('says nothing when the target was held without failures', () => {
    const { report: r, pass } = report(10_029, {}, 50_000);
    expect(whatLimited(r, pass)).toBe('');
  });
});
