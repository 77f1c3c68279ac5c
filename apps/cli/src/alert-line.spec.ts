import { alertLine } from './alert-line.js';

describe('the alerts terminal view', () => {
  const message = {
    event: { kind: 'acknowledged', at: '2026-05-01T12:34:56.000Z', actor: 'dana', note: 'on it' },
    alert: {
      id: 'r1:d1:1',
      ruleId: 'r1',
      ruleKind: 'above',
      description: '',
      severity: 'critical',
      state: 'acknowledged',
      deviceId: 'd1',
      city: 'beijing',
      site: 'bj-1',
      field: 'co2',
      lastValue: 1400,
    },
  };

  it('prints one line per event, coloured by severity, titled by the rule id when there is no description', () => {
    expect(alertLine(message, false)).toBe(
      '12:34:56 CRITICAL acknowledged r1 — d1 beijing/bj-1 co2=1400 by dana “on it”  [r1:d1:1]',
    );
    expect(alertLine(message, true)).toContain('\x1b[1;31mCRITICAL\x1b[0m');
    expect(
      alertLine(
        { ...message, alert: { ...message.alert, severity: 'info', ruleKind: 'deadman', field: '', lastValue: 308 } },
        false,
      ),
    ).toContain('silent 308 s');
  });
});
