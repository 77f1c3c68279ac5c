import { loopbackAddresses, parseConnectionsOptions } from './connections-options.js';

describe('connections bench options', () => {
  it('spreads source addresses from 127.0.0.2 across the loopback /8', () => {
    expect(loopbackAddresses(3)).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.4']);
    expect(loopbackAddresses(300)[254]).toBe('127.0.1.0');
  });

  it('defaults to the issue’s target of 50,000 connections and names every bad option', () => {
    expect(parseConnectionsOptions([])).toMatchObject({ connections: 50_000, addresses: 4, storms: ['cached'] });
    expect(() => parseConnectionsOptions(['--connections', '0', '--addresses', 'x'])).toThrow(
      /--connections[\s\S]*--addresses/,
    );
  });

  it('runs the reconnect storms asked for, in order, and names one it does not know', () => {
    expect(parseConnectionsOptions(['--storms', 'restart,move,cached'])).toMatchObject({
      storms: ['restart', 'move', 'cached'],
    });
    expect(parseConnectionsOptions(['--no-reconnect'])).toMatchObject({ storms: [] });
    expect(() => parseConnectionsOptions(['--storms', 'restart,reboot'])).toThrow(
      /--storms must list some of cached, restart, move, not reboot/,
    );
  });

  it('adds the TLS phase only when asked, beside any storms, and refuses a value given to the flag', () => {
    expect(parseConnectionsOptions([])).toMatchObject({ tls: false });
    expect(parseConnectionsOptions(['--tls', '--connections', '500', '--storms', 'restart'])).toMatchObject({
      tls: true,
      connections: 500,
      storms: ['restart'],
    });
    expect(parseConnectionsOptions(['--no-reconnect', '--tls'])).toMatchObject({ tls: true, storms: [] });
    expect(() => parseConnectionsOptions(['--tls=yes'])).toThrow(/--tls/);
  });
});
