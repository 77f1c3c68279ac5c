import { failureKind } from './holder-protocol.js';

describe('failureKind', () => {
  it('counts the same failure of different devices and ports as one kind', () => {
    expect(failureKind('bench-01234: connection closed before CONNACK')).toBe('connection closed before CONNACK');
    expect(failureKind('connect EADDRNOTAVAIL 127.0.0.1:41883 - Local (127.0.0.2:0)')).toBe(
      failureKind('connect EADDRNOTAVAIL 127.0.0.1:5000 - Local (127.0.0.3:0)'),
    );
    expect(failureKind('bench-7: no CONNACK within 60000 ms')).toBe('no CONNACK within <n> ms');
  });
});
