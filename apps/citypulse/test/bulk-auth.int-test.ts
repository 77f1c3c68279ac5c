import { request } from 'node:http';
import { TestCitypulse } from './harness.js';

/** POST /devices/bulk may carry megabytes: a caller without a token is refused before any of it is read. */
describe('bulk provisioning without a token', () => {
  let cp: TestCitypulse;

  beforeAll(async () => {
    cp = await TestCitypulse.start();
  });
  afterAll(async () => {
    await cp?.stop();
  });

  /**
   * Announces a 512 kB body (within the bulk limit, so only the missing token can refuse it), sends 1 kB of it, and
   * resolves with the answer given while the rest is still owed.
   */
  function announceBigBody(headers: Record<string, string>): Promise<{ status: number; body: any }> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: cp.running.httpPort,
          method: 'POST',
          path: '/devices/bulk',
          headers: { 'content-type': 'application/json', 'content-length': String(512 * 1024), ...headers },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => {
            req.destroy();
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) });
          });
        },
      );
      req.on('error', reject);
      req.write('['.padEnd(1024, ' '));
    });
  }

  it('answers 401 in the guard’s shape before reading the body when no bearer token is sent', async () => {
    const refused = await announceBigBody({});
    expect(refused).toEqual({
      status: 401,
      body: { statusCode: 401, error: 'Unauthorized', message: expect.stringMatching(/bearer token/) },
    });
    expect((await announceBigBody({ authorization: 'Basic abc' })).status).toBe(401);
  });

  it('still answers 401 for a wrong token and provisions with the admin token', async () => {
    expect((await cp.api('POST', '/devices/bulk', [], 'not-a-token')).status).toBe(401);
    expect(
      (
        await cp.api('POST', '/devices/bulk', [
          { id: `bulk-auth-${Date.now()}`, type: 'lift', city: 'beijing', site: 's1' },
        ])
      ).status,
    ).toBe(201);
  });
});
