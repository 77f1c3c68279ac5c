import { randomUUID } from 'node:crypto';
import { createLogger } from '@citypulse/observability';
import { waitFor } from '@citypulse/testing';
import { TestCitypulse } from '../harness.js';

/** Request ids over real HTTP, read back from the process's own pino log lines. */
describe('request ids', () => {
  let cp: TestCitypulse;
  const lines: string[] = [];
  const entries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  const logOf = (requestId: string) =>
    waitFor(
      () => entries().find((e) => e.requestId === requestId),
      (e) => e !== undefined,
      { what: `the log line of ${requestId}` },
    );

  beforeAll(async () => {
    const logger = createLogger('info', 'request-log-test', { write: (line: string) => void lines.push(line) });
    cp = await TestCitypulse.start({}, ['api'], { logger });
  });
  afterAll(async () => {
    await cp?.stop();
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`http://127.0.0.1:${cp.running.httpPort}${path}`, { headers });

  it('gives a request without an id a new UUID, in the response header and its log line', async () => {
    const response = await get('/devices?limit=5', { authorization: `Bearer ${cp.config.http.adminToken}` });
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-request-id')!;
    expect(requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const line = await logOf(requestId);
    expect(line).toMatchObject({
      msg: 'http request',
      component: 'http',
      method: 'GET',
      path: '/devices',
      status: 200,
      instance: 'request-log-test',
    });
    expect(typeof line!.durationMs).toBe('number');
  });

  it('keeps a sane incoming x-request-id, and logs refused requests too', async () => {
    const given = `proxy-${randomUUID()}`;
    const response = await get('/alerts', { 'x-request-id': given });
    expect(response.status).toBe(401);
    expect(response.headers.get('x-request-id')).toBe(given);
    expect(await logOf(given)).toMatchObject({ method: 'GET', path: '/alerts', status: 401 });
  });

  it('replaces an incoming id that is too long or carries other characters', async () => {
    for (const insane of ['x'.repeat(200), 'id with spaces', '{"forged":1}']) {
      const response = await get('/health/live', { 'x-request-id': insane });
      const requestId = response.headers.get('x-request-id')!;
      expect(requestId).not.toBe(insane);
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      await logOf(requestId);
    }
    expect(lines.some((line) => line.includes('forged'))).toBe(false);
  });

  it('never logs the Authorization header or the token', async () => {
    const response = await get('/devices', { authorization: `Bearer ${cp.config.http.adminToken}` });
    await logOf(response.headers.get('x-request-id')!);
    const wrong = await get('/devices', { authorization: 'Bearer not-a-real-token-4711' });
    await logOf(wrong.headers.get('x-request-id')!);
    expect(
      lines.some(
        (line) =>
          line.includes(cp.config.http.adminToken) ||
          line.includes('not-a-real-token-4711') ||
          /authorization/i.test(line),
      ),
    ).toBe(false);
  });
});
