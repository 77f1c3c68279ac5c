import type { Alert, AlertEvent } from '@citypulse/alert-store';
import { parseLine } from '@citypulse/storage';
import { alertLine } from './alert-point.js';

const alert: Alert = {
  id: 'env-sensor.co2-high:d 1:1700000000000',
  ruleId: 'env-sensor.co2-high',
  ruleKind: 'above',
  deviceId: 'd 1',
  deviceType: 'env-sensor',
  city: 'beijing',
  site: 'bj,tower',
  field: 'co2',
  severity: 'warning',
  state: 'acknowledged',
  description: '',
  openedAt: '2023-11-14T22:13:20.000Z',
  lastValue: 1600,
  peakValue: 1700,
  count: 3,
  updatedAt: '2023-11-14T22:13:21.000Z',
  renotifySeconds: 0,
};
const event: AlertEvent = {
  id: `${alert.id}:acknowledged:x`,
  alertId: alert.id,
  kind: 'acknowledged',
  at: '2023-11-14T22:13:25.123Z',
  actor: 'alice',
  note: 'on it, "really"',
};

describe('alertLine', () => {
  it('writes one point per event with the alert’s tags, escaped, at the event’s time', () => {
    const line = alertLine(alert, event);
    expect(
      line.startsWith(
        'alerts,city=beijing,device_id=d\\ 1,device_type=env-sensor,event=acknowledged,' +
          'rule_id=env-sensor.co2-high,severity=warning,site=bj\\,tower ',
      ),
    ).toBe(true);
    expect(line).toContain('actor="alice"');
    expect(line).toContain('note="on it, \\"really\\""');
    const timeNs = BigInt(line.slice(line.lastIndexOf(' ') + 1));
    expect(timeNs / 1_000_000n).toBe(BigInt(Date.parse(event.at)));
  });

  it('gives two events of the same millisecond different times, and a replayed event the same', () => {
    const other = { ...event, id: `${alert.id}:assigned:y`, kind: 'assigned' as const };
    const time = (l: string) => l.slice(l.lastIndexOf(' ') + 1);
    expect(time(alertLine(alert, other))).not.toBe(time(alertLine(alert, event)));
    expect(alertLine(alert, event)).toBe(alertLine(alert, { ...event }));
  });

  it('is valid line protocol', () => {
    expect(parseLine(alertLine(alert, { ...event, value: 12.5 }))).not.toBeNull();
  });
});
