import { sessionOf, type ReplaySession } from './replay-sessions.js';

const session = (prefix: string, city: string | null): ReplaySession => ({
  prefix,
  city,
  openedAt: '2026-12-03T00:00:00.000Z',
  openedBy: 'admin',
});

describe('sessionOf', () => {
  it('covers the devices <prefix>-… of its city only, or of every city for a cluster-wide entry', () => {
    const sessions = [session('again', 'beijing'), session('wide', null)];
    expect(sessionOf(sessions, { deviceId: 'again-beijing-lift-001', city: 'beijing' })?.prefix).toBe('again');
    expect(sessionOf(sessions, { deviceId: 'again-tianjin-lift-001', city: 'tianjin' })).toBeUndefined();
    expect(sessionOf(sessions, { deviceId: 'wide-tianjin-lift-001', city: 'tianjin' })?.prefix).toBe('wide');
  });

  it('needs the dash after the prefix, and prefers the longest prefix', () => {
    const sessions = [session('sim', null), session('sim-2', null)];
    expect(sessionOf(sessions, { deviceId: 'simulated-1', city: 'beijing' })).toBeUndefined();
    expect(sessionOf(sessions, { deviceId: 'sim-2-beijing-lift-001', city: 'beijing' })?.prefix).toBe('sim-2');
    expect(sessionOf(sessions, { deviceId: 'sim-beijing-lift-001', city: 'beijing' })?.prefix).toBe('sim');
  });
});
