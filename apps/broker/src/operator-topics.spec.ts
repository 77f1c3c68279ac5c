import { DeviceCities } from './device-cities.js';
import { cityOfTopic, operatorMaySubscribe, shareOfTopic } from './operator-topics.js';

describe('operatorMaySubscribe', () => {
  it.each([
    'devices/+/telemetry',
    'devices/bj-env-1/telemetry',
    'devices/+/state',
    'devices/+/errors',
    'devices/+/command-acks',
    'alerts/#',
    'alerts/beijing/#',
    'alerts/+/critical',
    'shares/sh-0123456789ab/#',
    'shares/sh-0123456789ab/electricity-meter/active_power',
    'shares/sh-0123456789ab/+/+',
  ])('allows the read-only stream %s', (filter) => expect(operatorMaySubscribe(filter)).toBe(true));

  it.each([
    '#',
    'devices/#',
    'devices/+/+',
    'devices/+/commands',
    'devices/+/config',
    'devices/a/b/telemetry',
    '$SYS/#',
    'alerts/#/critical',
    'other/topic',
    'shares/#',
    'shares/+/#',
    'shares/sh-0123456789ab',
    'shares/not-a-share/#',
    'shares/sh-0123456789ab/a/b/c',
    'shares/sh-0123456789ab/#/x',
  ])('refuses %s', (filter) => expect(operatorMaySubscribe(filter)).toBe(false));
});

describe('cityOfTopic', () => {
  const cities = new DeviceCities(async () => undefined);
  cities.set('bj-1', 'beijing');

  it('knows the city of a device topic from the device and of an alert topic from the topic', () => {
    expect(cityOfTopic('devices/bj-1/telemetry', cities)).toBe('beijing');
    expect(cityOfTopic('alerts/tianjin/critical', cities)).toBe('tianjin');
  });

  it('answers undefined for an unknown device and any other topic', () => {
    expect(cityOfTopic('devices/unknown/telemetry', cities)).toBeUndefined();
    expect(cityOfTopic('$SYS/broker/clients', cities)).toBeUndefined();
  });
});

describe('shareOfTopic', () => {
  it('names the share of a shares/ topic or filter, never a wildcard', () => {
    expect(shareOfTopic('shares/sh-0123456789ab/electricity-meter/active_power')).toBe('sh-0123456789ab');
    expect(shareOfTopic('shares/sh-0123456789ab/#')).toBe('sh-0123456789ab');
    expect(shareOfTopic('shares/+/#')).toBeUndefined();
    expect(shareOfTopic('alerts/tianjin/critical')).toBeUndefined();
  });
});
