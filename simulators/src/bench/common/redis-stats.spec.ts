import { commandDelta, parseClusterNodes, parseCommandStats } from './redis-stats.js';

describe('scale bench Redis figures', () => {
  it('reads calls per command from INFO commandstats, subcommands included', () => {
    const info = [
      '# Commandstats',
      'cmdstat_xadd:calls=1200,usec=3400,usec_per_call=2.83,rejected_calls=0,failed_calls=0',
      'cmdstat_client|setname:calls=7,usec=9,usec_per_call=1.29,rejected_calls=0,failed_calls=0',
      'cmdstat_publish:calls=5,usec=20,usec_per_call=4,rejected_calls=0,failed_calls=0',
      '',
    ].join('\r\n');
    expect([...parseCommandStats(info)]).toEqual([
      ['xadd', 1200],
      ['client|setname', 7],
      ['publish', 5],
    ]);
  });

  it('counts the calls made in between, publish and spublish as pub/sub messages, the bench’s own INFO left out', () => {
    const before = new Map([
      ['xadd', 100],
      ['publish', 10],
      ['info', 3],
    ]);
    const after = new Map([
      ['xadd', 400],
      ['publish', 60],
      ['spublish', 40],
      ['info', 9],
      ['get', 5],
    ]);
    expect(commandDelta(before, after)).toEqual({
      total: 395,
      pubsubMessages: 90,
      byCommand: { xadd: 300, publish: 50, spublish: 40, get: 5 },
    });
  });

  it('counts a counter that went down (a restarted node) from zero', () => {
    expect(commandDelta(new Map([['xadd', 500]]), new Map([['xadd', 20]])).total).toBe(20);
  });

  it('finds the live masters of a cluster in CLUSTER NODES, without replicas or failed nodes', () => {
    const nodes = [
      'a1 127.0.0.1:17002@27002 master - 0 1700000000000 2 connected 5461-10922',
      'b2 127.0.0.1:17001@27001,host-a myself,master - 0 0 1 connected 0-5460',
      'c3 127.0.0.1:17004@27004 slave a1 0 1700000000000 2 connected',
      'd4 127.0.0.1:17003@27003 master,fail - 0 1700000000000 3 disconnected',
      '',
    ].join('\n');
    expect(parseClusterNodes(nodes)).toEqual([
      { host: '127.0.0.1', port: 17001, url: 'redis://127.0.0.1:17001' },
      { host: '127.0.0.1', port: 17002, url: 'redis://127.0.0.1:17002' },
    ]);
  });
});
