/**
 * The console's pure browser modules (plain JS, served as they are). Imported by a runtime path so
 * TypeScript does not look for their types.
 */
const load = (name: string): Promise<any> => import(`./public/${name}`);

describe('the console’s server-sent-event parser', () => {
  it('parses events split across chunks at any point, with event type, id and multi-line data', async () => {
    const { SseParser } = await load('sse-parser.js');
    const stream = 'event: raised\nid: e1\ndata: {"a":\ndata: 1}\n\n: keep-alive\n\ndata: second\r\n\r\n';
    for (let cut = 0; cut <= stream.length; cut++) {
      const parser = new SseParser();
      const events = [...parser.push(stream.slice(0, cut)), ...parser.push(stream.slice(cut))];
      expect(events).toEqual([
        { event: 'raised', data: '{"a":\n1}', id: 'e1' },
        { event: 'message', data: 'second', id: 'e1' },
      ]);
    }
  });

  it('keeps an event without its closing blank line until the line arrives', async () => {
    const { SseParser } = await load('sse-parser.js');
    const parser = new SseParser();
    expect(parser.push('data: x\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ event: 'message', data: 'x', id: '' }]);
  });
});

describe('the console’s alert queue logic', () => {
  const alert = {
    id: 'a',
    city: 'beijing',
    site: 'beijing-tower-1',
    severity: 'warning',
    state: 'open',
    openedAt: '2026-01-01T00:00:00Z',
    count: 1,
  };

  it('filters by city, site (exactly, as the API does), severity and state; active means not resolved', async () => {
    const { matchesFilters } = await load('alert-list.js');
    expect(matchesFilters(alert, { state: 'active' })).toBe(true);
    expect(matchesFilters({ ...alert, state: 'resolved' }, { state: 'active' })).toBe(false);
    expect(matchesFilters(alert, { site: 'beijing-tower-1' })).toBe(true);
    expect(matchesFilters(alert, { site: 'tower' })).toBe(false);
    expect(matchesFilters(alert, { city: 'tianjin' })).toBe(false);
    expect(matchesFilters(alert, { severity: 'critical' })).toBe(false);
    expect(matchesFilters(alert, { state: 'any' })).toBe(true);
    expect(matchesFilters(alert, { state: 'acknowledged' })).toBe(false);
  });

  it('applies a live message over what the page knew, keeping the fields the message lacks', async () => {
    const { applyMessage } = await load('alert-list.js');
    const known = { ...alert, updatedAt: 'earlier', renotifySeconds: 0 };
    const message = {
      event: { kind: 'acknowledged', at: 'now', actor: 'bob' },
      alert: { ...alert, state: 'acknowledged', acknowledgedBy: 'bob' },
    };
    expect(applyMessage(known, message)).toEqual({
      ...known,
      state: 'acknowledged',
      acknowledgedBy: 'bob',
      acknowledgedAt: 'now',
      updatedAt: 'now',
    });
    expect(
      applyMessage(undefined, { ...message, event: { kind: 'resolved', at: 'now', actor: 'rule' } }),
    ).toMatchObject({ resolvedAt: 'now', resolvedBy: 'rule' });
  });

  it('orders unresolved before resolved, then by severity, then newest first', async () => {
    const { queueOrder } = await load('alert-list.js');
    const list = [
      { ...alert, id: 'resolved-critical', state: 'resolved', severity: 'critical' },
      { ...alert, id: 'old-warning', openedAt: '2026-01-01T00:00:00Z' },
      { ...alert, id: 'new-warning', openedAt: '2026-01-02T00:00:00Z' },
      { ...alert, id: 'critical', severity: 'critical' },
    ];
    expect(list.sort(queueOrder).map((a) => a.id)).toEqual([
      'critical',
      'new-warning',
      'old-warning',
      'resolved-critical',
    ]);
  });
});

describe('the console’s chart geometry', () => {
  const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();

  it('places points across the plot, highest value at the top, and breaks the line at empty intervals', async () => {
    const { chartGeometry } = await load('chart-geometry.js');
    const points = [
      { time: at(0), mean: 10, min: 5, max: 15 },
      { time: at(1), mean: null, min: null, max: null },
      { time: at(2), mean: 20, min: 20, max: 20 },
    ];
    const g = chartGeometry(points, { width: 100, height: 50, pad: 0 });
    expect(g.points).toEqual([
      { x: 0, y: 33.3, time: at(0), mean: 10 },
      { x: 100, y: 0, time: at(2), mean: 20 },
    ]);
    expect(g.segments.map((s: unknown[]) => s.length)).toEqual([1, 1]);
    expect([g.low, g.high]).toEqual([5, 20]);
  });

  it('draws nothing when no interval has a value, and centres a flat line', async () => {
    const { chartGeometry } = await load('chart-geometry.js');
    expect(chartGeometry([{ time: at(0), mean: null, min: null, max: null }], { width: 100, height: 50 })).toBeNull();
    const flat = chartGeometry([{ time: at(0), mean: 7, min: 7, max: 7 }], { width: 100, height: 50, pad: 0 });
    expect(flat.points[0]).toMatchObject({ x: 50, y: 25 });
  });

  it('picks a downsampling interval giving at most 120 points', async () => {
    const { intervalFor } = await load('chart-geometry.js');
    expect(intervalFor(15 * 60_000)).toBe('10s');
    expect(intervalFor(60 * 60_000)).toBe('30s');
    expect(intervalFor(24 * 3_600_000)).toBe('15m');
    expect(intervalFor(7 * 24 * 3_600_000)).toBe('2h');
  });
});

describe('the console’s alert queue counts, titles and units', () => {
  const counts = {
    critical: { open: 1, acknowledged: 2, resolved: 5 },
    warning: { open: 250, acknowledged: 0, resolved: 1 },
    info: { open: 0, acknowledged: 0, resolved: 0 },
  };

  it('counts per severity within the state filter, per state within the severity filter', async () => {
    const { countsFor } = await load('alert-list.js');
    expect(countsFor(counts, { state: 'active' })).toEqual({
      bySeverity: { critical: 3, warning: 250, info: 0 },
      byState: { open: 251, acknowledged: 2, resolved: 6 },
      total: 253,
    });
    expect(countsFor(counts, { state: 'resolved', severity: 'critical' })).toMatchObject({
      bySeverity: { critical: 5, warning: 1 },
      byState: { open: 1, acknowledged: 2, resolved: 5 },
      total: 5,
    });
    expect(countsFor(undefined, { state: 'any' }).total).toBe(0);
  });

  it('titles an alert by its rule id when the rule has no description, and gives deadman values in seconds', async () => {
    const { alertTitle, valueUnit } = await load('alert-list.js');
    expect(alertTitle({ ruleId: 'r1', description: '  ' })).toBe('r1');
    expect(alertTitle({ ruleId: 'r1', description: 'CO₂ high' })).toBe('CO₂ high');
    const types = { 'env-sensor': { fields: { co2: { unit: 'ppm' } } } };
    expect(valueUnit({ ruleKind: 'deadman', field: '', deviceType: 'env-sensor' }, types)).toBe('s');
    expect(valueUnit({ ruleKind: 'above', field: 'co2', deviceType: 'env-sensor' }, types)).toBe('ppm');
    expect(valueUnit({ ruleKind: 'above', field: 'co2', deviceType: 'unknown' }, types)).toBe('');
  });
});

describe('the console’s chart axes and rules', () => {
  it('puts value ticks on round steps and time ticks on round times within the range', async () => {
    const { valueTicks, timeTicks } = await load('chart-geometry.js');
    expect(valueTicks(600, 1500, 5)).toEqual([600, 800, 1000, 1200, 1400]);
    expect(valueTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    const hour = Date.UTC(2026, 0, 1, 10);
    expect(timeTicks(hour + 1, hour + 3_600_000, 6)).toEqual([10, 20, 30, 40, 50, 60].map((m) => hour + m * 60_000));
  });

  it('keeps a threshold near the data in view, and leaves one far off out of the scale', async () => {
    const { chartGeometry } = await load('chart-geometry.js');
    const points = [{ time: new Date(0).toISOString(), mean: 600, min: 600, max: 700 }];
    expect(chartGeometry(points, { width: 100, height: 50, include: [1000] }).yMax).toBe(1000);
    expect(chartGeometry(points, { width: 100, height: 50, include: [100_000] }).yMax).toBe(700);
  });

  it('draws a line per threshold of above, below and outside rules, none for rate and deadman', async () => {
    const { ruleThresholds } = await load('chart.js');
    expect(ruleThresholds({ id: 'a', severity: 'critical', condition: { kind: 'above', threshold: 1000 } })).toEqual([
      { value: 1000, label: 'critical >', severity: 'critical', ruleId: 'a' },
    ]);
    expect(
      ruleThresholds({ id: 'o', severity: 'warning', condition: { kind: 'outside', low: 1, high: 9 } }).map(
        (t: any) => t.value,
      ),
    ).toEqual([1, 9]);
    expect(ruleThresholds({ id: 'd', severity: 'warning', condition: { kind: 'deadman', afterSeconds: 60 } })).toEqual(
      [],
    );
  });

  it('picks per rule key the most specific rule whose scope takes the device in', async () => {
    const { rulesForDevice } = await load('device-rules.js');
    const device = { id: 'd1', type: 'env-sensor', city: 'beijing', site: 'bj-1' };
    const rule = (id: string, scope: object, key = 'co2') => ({ id, key, deviceType: 'env-sensor', scope });
    const picked = rulesForDevice(device, [
      rule('type-wide', {}),
      rule('city', { city: 'beijing' }),
      rule('other-device', { deviceId: 'd2' }),
      rule('site', { site: 'bj-1' }, 'temp'),
      rule('other-city', { city: 'tianjin' }, 'hum'),
      { ...rule('disabled', { deviceId: 'd1' }, 'x'), enabled: false },
    ]);
    expect(picked.map((r: any) => r.id).sort()).toEqual(['city', 'site']);
  });
});
