import { parseIngestOptions, type IngestOptions } from './ingest-options.js';

const parse = (...argv: string[]) => parseIngestOptions(argv) as IngestOptions;

describe('ingest bench options: --durability', () => {
  it('is off by default: the ordinary single pass', () => {
    expect(parse().durability).toEqual([]);
  });

  it('measures the levels asked for beside everysec, in the order asked, each once', () => {
    expect(parse('--durability', 'everysec,always,replica').durability).toEqual(['everysec', 'always', 'replica']);
    expect(parse('--durability', 'replica,always,everysec').durability).toEqual(['replica', 'always', 'everysec']);
    expect(parse('--durability', 'replica,always').durability).toEqual(['everysec', 'replica', 'always']);
    expect(parse('--durability', 'replica, replica').durability).toEqual(['everysec', 'replica']);
    expect(parse('--durability', 'everysec').durability).toEqual(['everysec']);
  });

  it('runs the passes on one private Redis unless asked for a private Redis Cluster', () => {
    expect(parse('--durability', 'replica').durabilityRedis).toBe('single');
    expect(parse('--durability', 'replica', '--durability-redis', 'cluster').durabilityRedis).toBe('cluster');
    expect(() => parse('--durability', 'replica', '--durability-redis', 'sentinel')).toThrow(
      '--durability-redis must be single or cluster, not sentinel',
    );
  });

  it('names a level it does not know, with the ones it does', () => {
    expect(() => parse('--durability', 'always,fsync,')).toThrow(
      '--durability takes levels out of everysec, always, replica separated by commas, not "fsync", ""',
    );
  });

  it('refuses the passes that would not be part of the comparison, naming each', () => {
    expect(() => parse('--durability', 'always', '--tls', '--profile', '--devices', '0')).toThrow(
      [
        '--devices must be an integer from 1 to 100000, not 0',
        '--tls cannot be combined with --durability',
        '--profile cannot be combined with --durability',
      ].join('\n'),
    );
    expect(parse('--tls').tls).toBe(true);
  });
});

describe('ingest bench options: baselines', () => {
  it('runs every baseline, the plain bridge among them, unless --no-baselines', () => {
    expect(parse().baselines).toBe(true);
    expect(parse('--no-baselines').baselines).toBe(false);
  });

  it("gives the subscribers' QoS to both the Mosquitto baseline and the plain bridge, 0 or 1 only", () => {
    expect(parse().baselineSubscriberQos).toBe(1);
    expect(parse('--baseline-sub-qos', '0').baselineSubscriberQos).toBe(0);
    expect(() => parse('--baseline-sub-qos', '2')).toThrow('--baseline-sub-qos must be an integer from 0 to 1, not 2');
  });
});

describe('ingest bench options: --repeat', () => {
  it('is one pass by default, up to 20 rounds', () => {
    expect(parse().repeat).toBe(1);
    expect(parse('--repeat', '3').repeat).toBe(3);
    expect(() => parse('--repeat', '0')).toThrow('--repeat must be an integer from 1 to 20, not 0');
  });

  it('is not combined with the comparisons that make passes of their own', () => {
    expect(() => parse('--repeat', '2', '--tls')).toThrow('--repeat cannot be combined with --tls');
    expect(() => parse('--repeat', '2', '--durability', 'always')).toThrow(
      '--repeat cannot be combined with --durability',
    );
    expect(parse('--repeat', '2', '--no-baselines').baselines).toBe(false);
  });
});
