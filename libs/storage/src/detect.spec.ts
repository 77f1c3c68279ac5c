import { apiFromVersion } from './detect.js';

describe('apiFromVersion', () => {
  it('speaks the native v1 API to InfluxDB 1.x', () => {
    expect(apiFromVersion('1.6.7~rc0')).toBe('v1');
    expect(apiFromVersion('1.8.10')).toBe('v1');
  });

  it('speaks the v2 API to InfluxDB 2.x and 3.x, with or without a leading v', () => {
    expect(apiFromVersion('v2.7.4')).toBe('v2');
    expect(apiFromVersion('2.7.4')).toBe('v2');
    expect(apiFromVersion('3.0.1')).toBe('v2');
  });

  it('speaks the v2 API when /ping names no version, as VictoriaMetrics does', () => {
    expect(apiFromVersion(null)).toBe('v2');
    expect(apiFromVersion('')).toBe('v2');
  });
});
