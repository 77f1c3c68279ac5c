import { SCOPE_PATTERNS } from '@citypulse/rules';
import { CITY_PATTERN, DEVICE_ID_PATTERN, SITE_PATTERN } from '@citypulse/registry';

describe('a rule scope’s patterns', () => {
  it('are the device registry’s own (libs/rules keeps a copy, as it imports nothing outside itself)', () => {
    expect(SCOPE_PATTERNS.city.pattern.source).toBe(CITY_PATTERN.source);
    expect(SCOPE_PATTERNS.site.pattern.source).toBe(SITE_PATTERN.source);
    expect(SCOPE_PATTERNS.deviceId.pattern.source).toBe(DEVICE_ID_PATTERN.source);
  });
});
