import {
  backoffDelay,
  decideWrite,
  dropCategory,
  MAX_RETRY_AFTER_MS,
  parseRetryAfter,
  type DecisionContext,
} from './write-decision.js';

const ctx = (over: Partial<DecisionContext> = {}): DecisionContext => ({
  initialDelayMs: 100,
  maxDelayMs: 10_000,
  lineCount: 10,
  attempt: 1,
  nowMs: Date.parse('2026-01-01T00:00:00Z'),
  random: () => 0.5,
  ...over,
});

// Bodies exactly as InfluxDB 1.6.7 sends them.
const TYPE_CONFLICT =
  '{"error":"partial write: field type conflict: input field \\"v\\" on measurement \\"m1\\" is type string, ' +
  'already exists as type float dropped=2"}';
const PARTIAL_PARSE = '{"error":"partial write: unable to parse \'m1 garbage\': invalid field format dropped=0"}';
const ALL_UNPARSEABLE =
  "{\"error\":\"unable to parse 'm1 garbage': invalid field format\\nunable to parse 'm1 junk=': missing " +
  'field value"}';

describe('decideWrite', () => {
  it('retries a network failure (no status) with backoff', () => {
    expect(decideWrite({ body: 'ECONNREFUSED' }, ctx())).toEqual({
      action: 'retry',
      delayMs: 50,
      reason: 'no response: ECONNREFUSED',
    });
  });

  it.each([429, 500, 502, 503, 504, 408])('retries HTTP %i', (status) => {
    expect(decideWrite({ status }, ctx())).toMatchObject({ action: 'retry', delayMs: 50 });
  });

  it('honours Retry-After in seconds instead of backoff', () => {
    expect(decideWrite({ status: 429, retryAfter: '3' }, ctx())).toMatchObject({ action: 'retry', delayMs: 3000 });
  });

  it('honours Retry-After as an HTTP date', () => {
    expect(decideWrite({ status: 503, retryAfter: 'Thu, 01 Jan 2026 00:00:07 GMT' }, ctx())).toMatchObject({
      action: 'retry',
      delayMs: 7000,
    });
  });

  it('does not believe an absurd Retry-After', () => {
    expect(decideWrite({ status: 503, retryAfter: '86400' }, ctx())).toMatchObject({ delayMs: MAX_RETRY_AFTER_MS });
  });

  it('falls back to backoff when Retry-After cannot be read', () => {
    expect(decideWrite({ status: 503, retryAfter: 'soon' }, ctx({ attempt: 3 }))).toMatchObject({ delayMs: 200 });
  });

  it('splits a batch the server finds too large (413)', () => {
    expect(decideWrite({ status: 413 }, ctx())).toMatchObject({ action: 'split' });
  });

  it('drops a single line that alone is too large, as it can never be stored', () => {
    expect(decideWrite({ status: 413 }, ctx({ lineCount: 1 }))).toMatchObject({
      action: 'drop',
      dropped: 1,
      category: 'too_large',
    });
  });

  it('counts the dropped points of a 1.x partial write; the rest were stored', () => {
    expect(decideWrite({ status: 400, body: TYPE_CONFLICT }, ctx())).toMatchObject({
      action: 'drop',
      dropped: 2,
      category: 'field_type_conflict',
      reason: expect.stringContaining('field type conflict'),
    });
  });

  it('counts unparseable lines, which 1.6.7 leaves out of dropped=N', () => {
    expect(decideWrite({ status: 400, body: PARTIAL_PARSE }, ctx())).toMatchObject({
      action: 'drop',
      dropped: 1,
      category: 'unparseable',
    });
  });

  it('drops a whole batch when 1.x lists every line as unparseable', () => {
    expect(decideWrite({ status: 400, body: ALL_UNPARSEABLE }, ctx({ lineCount: 2 }))).toMatchObject({
      action: 'drop',
      dropped: 2,
    });
  });

  it('splits a 400 that does not say which lines were bad, to isolate them', () => {
    expect(decideWrite({ status: 400, body: '{"error":"unable to parse \'x\': bad timestamp"}' }, ctx())).toMatchObject(
      { action: 'split' },
    );
    expect(decideWrite({ status: 400, body: '' }, ctx())).toMatchObject({ action: 'split' });
  });

  it('splits a partial write whose count cannot be read (other servers’ wording)', () => {
    expect(
      decideWrite({ status: 400, body: '{"error":"partial write of line protocol occurred"}' }, ctx()),
    ).toMatchObject({ action: 'split' });
  });

  it('drops a single rejected line', () => {
    expect(decideWrite({ status: 400, body: 'bad' }, ctx({ lineCount: 1 }))).toMatchObject({
      action: 'drop',
      dropped: 1,
      category: 'bad_request',
    });
  });

  it('treats 422 (2.x: beyond retention) like 400', () => {
    const body =
      '{"code":"unprocessable entity","message":"failure writing points to database: partial write: points ' +
      'beyond retention policy dropped=3"}';
    expect(decideWrite({ status: 422, body }, ctx())).toMatchObject({
      action: 'drop',
      dropped: 3,
      category: 'beyond_retention',
    });
  });

  it('never reports more dropped than the batch held', () => {
    expect(decideWrite({ status: 400, body: 'partial write: x dropped=99' }, ctx({ lineCount: 4 }))).toMatchObject({
      dropped: 4,
    });
  });

  it.each([401, 403, 404, 405, 409])(
    'is fatal on HTTP %i: retried slowly at the maximum delay, never dropped',
    (status) => {
      expect(decideWrite({ status, body: 'nope' }, ctx())).toEqual({
        action: 'fatal',
        delayMs: 10_000,
        reason: `HTTP ${status}: nope`,
      });
    },
  );

  it.each([
    [400, '{"error":"database is required"}'],
    [400, '{"error":"unexpected EOF"}'],
    [500, '{"error":"retention policy not found: nope"}'],
  ])('is fatal, not a drop, when HTTP %i is about the request rather than its points: %s', (status, body) => {
    expect(decideWrite({ status, body }, ctx())).toMatchObject({ action: 'fatal', delayMs: 10_000 });
  });

  it('truncates a huge body in the reason', () => {
    const decision = decideWrite({ status: 500, body: 'x'.repeat(100_000) }, ctx());
    expect(decision.reason.length).toBeLessThan(1100);
  });
});

describe('backoffDelay', () => {
  it('doubles the ceiling per attempt and draws uniformly below it (full jitter)', () => {
    const at = (attempt: number, r: number) =>
      backoffDelay({ attempt, initialDelayMs: 100, maxDelayMs: 10_000, random: () => r });
    expect([1, 2, 3, 4].map((a) => at(a, 0.999999))).toEqual([100, 200, 400, 800]);
    expect(at(5, 0)).toBe(0);
  });

  it('never exceeds the maximum, even after very many attempts', () => {
    expect(backoffDelay({ attempt: 10_000, initialDelayMs: 100, maxDelayMs: 10_000, random: () => 0.999999 })).toBe(
      10_000,
    );
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads seconds and dates, and nothing else', () => {
    expect(parseRetryAfter('1', now)).toBe(1000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:02 GMT', now)).toBe(2000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('-1', now)).toBeUndefined();
  });
});

describe('dropCategory', () => {
  it('labels the InfluxDB error texts', () => {
    expect(
      dropCategory('partial write: invalid field name: input field "time" on measurement "m1" is invalid dropped=1'),
    ).toBe('invalid_field');
    expect(dropCategory('partial write: max-values-per-tag limit exceeded (100000/100000)')).toBe('server_limit');
    expect(dropCategory('something else')).toBe('bad_request');
  });
});
