import { loadAt, mqttClusterAt, parseScaleOptions } from './scale-options.js';

describe('scale bench load', () => {
  it('keeps devices and rate at every K by default, and grows them with K under --load per-process', () => {
    const fixed = parseScaleOptions(['--devices', '100', '--rate', '5000']);
    const perProcess = parseScaleOptions([
      '--devices',
      '100',
      '--rate',
      '5000',
      '--load',
      'per-process',
      '--ks',
      '1,2,3',
    ]);
    if (fixed === 'help' || perProcess === 'help') throw new Error('unexpected help');
    expect(loadAt(fixed, 2)).toEqual({ devices: 100, rate: 5000 });
    expect([1, 2, 3].map((k) => loadAt(perProcess, k))).toEqual([
      { devices: 100, rate: 5000 },
      { devices: 200, rate: 10000 },
      { devices: 300, rate: 15000 },
    ]);
  });

  it('names the choices of a bad --load', () => {
    expect(() => parseScaleOptions(['--load', 'double'])).toThrow(
      '--load must be one of fixed, per-process, not double',
    );
  });

  it('clusters the brokers only when there are several, or at K = 1 too with --cluster-brokers always', () => {
    const auto = parseScaleOptions([]);
    const always = parseScaleOptions(['--cluster-brokers', 'always']);
    if (auto === 'help' || always === 'help') throw new Error('unexpected help');
    expect([1, 2].map((k) => mqttClusterAt(auto, k))).toEqual(['none', 'redis']);
    expect([1, 2].map((k) => mqttClusterAt(always, k))).toEqual(['redis', 'redis']);
    expect(() => parseScaleOptions(['--cluster-brokers', 'never'])).toThrow(
      /--cluster-brokers must be one of auto, always/,
    );
  });
});
