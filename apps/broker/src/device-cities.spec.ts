import { waitFor } from '@citypulse/testing';
import { DeviceCities } from './device-cities.js';

describe('DeviceCities', () => {
  it('answers unknown devices with undefined at first, then with the city the registry gave, asking once', async () => {
    const asked: string[] = [];
    const cities = new DeviceCities(async (id) => {
      asked.push(id);
      return id === 'tj-1' ? 'tianjin' : undefined;
    });
    expect(cities.get('tj-1')).toBeUndefined();
    expect(cities.get('tj-1')).toBeUndefined();
    await waitFor(
      () => cities.get('tj-1'),
      (city) => city === 'tianjin',
      { what: 'the looked-up city' },
    );
    expect(asked).toEqual(['tj-1']);
  });

  it('keeps at most maxEntries, dropping the oldest', () => {
    const cities = new DeviceCities(async () => undefined, 2);
    cities.set('a', 'x');
    cities.set('b', 'x');
    cities.set('c', 'x');
    expect([cities.get('b'), cities.get('c')]).toEqual(['x', 'x']);
    expect(cities.get('a')).toBeUndefined();
  });
});
