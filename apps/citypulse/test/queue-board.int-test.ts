import type { Browser } from 'playwright-core';
import { QUEUES } from '@citypulse/contracts';
import { TestCitypulse } from './harness.js';
import { QUEUE_BOARD_CSP } from '../../api/src/queues/queue-board.js';
import { DESKTOP, launchChromium, openContext, pageErrors, screenshot, signIn } from './console/console-browser.js';

const BOARD = '/queues/board';

/**
 * The queue dashboard (bull-board) at /queues/board over the real BullMQ queues: admin tokens of
 * every city only, by bearer header or by the cookie the console's login sets; its page, assets and
 * API under the base path; and in Chromium, the board renders the queues under its CSP.
 */
describe('the queue board', () => {
  let cp: TestCitypulse;
  let operator: string;
  let cityAdmin: string;
  const url = (path: string) => `http://127.0.0.1:${cp.running.httpPort}${path}`;
  const get = (path: string, headers: Record<string, string> = {}) => fetch(url(path), { headers });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const cookie = (token: string) => ({ cookie: `citypulse_token=${encodeURIComponent(token)}` });

  /** Signs in as the console does and returns the cookie the browser would keep. */
  async function consoleLogin(token: string): Promise<string> {
    const response = await fetch(url('/console/session'), { method: 'POST', headers: bearer(token) });
    expect(response.status).toBe(204);
    const setCookie = response.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/Path=\/queues;.*HttpOnly;.*SameSite=Strict/);
    return setCookie.split(';')[0];
  }

  beforeAll(async () => {
    cp = await TestCitypulse.start();
    operator = await cp.issueToken('board-operator', 'operator');
    cityAdmin = await cp.issueToken('board-city-admin', 'admin', ['tianjin']);
  });
  afterAll(async () => {
    await cp?.stop();
  });

  it('refuses a request without a valid token with 401: the error body for scripts, a page pointing to the console for a browser', async () => {
    for (const path of [BOARD, `${BOARD}/api/queues`, `${BOARD}/static/images/logo.svg`]) {
      const response = await get(path);
      expect({ path, status: response.status, body: await response.json() }).toEqual({
        path,
        status: 401,
        body: { statusCode: 401, error: 'Unauthorized', message: expect.stringContaining('/console') },
      });
    }
    for (const headers of [bearer('cpt_not-a-token'), cookie('cpt_not-a-token')]) {
      expect((await get(`${BOARD}/api/queues`, headers)).status).toBe(401);
    }
    const page = await get(BOARD, { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
    expect(page.status).toBe(401);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('<a href="/console">Sign in through the operator console</a>');
  });

  it('refuses operator tokens and admins of some cities with 403, by header or by cookie', async () => {
    const answers = [];
    for (const token of [operator, cityAdmin]) {
      for (const headers of [bearer(token), cookie(token)]) {
        for (const path of [BOARD, `${BOARD}/api/queues`]) answers.push((await get(path, headers)).status);
      }
    }
    expect(answers).toEqual(Array(8).fill(403));
    const { message } = (await (await get(BOARD, bearer(operator))).json()) as { message: string };
    expect(message).toBe('the queue board needs an admin token for every city');
  });

  it('serves an admin its page with its assets under the base path, and an API listing the real queues', async () => {
    const admin = bearer(cp.config.http.adminToken);
    const page = await get(BOARD, admin);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toBe(QUEUE_BOARD_CSP);
    const html = await page.text();
    expect(html).toContain(`<base href="${BOARD}/" />`);
    const assets = [...html.matchAll(/(?:src|href)="(static\/[^"]+)"/g)].map((m) => m[1]);
    expect(assets.filter((a) => a.endsWith('.js')).length).toBeGreaterThan(0);
    expect(assets.filter((a) => a.endsWith('.css')).length).toBeGreaterThan(0);
    for (const asset of assets) {
      const response = await get(`${BOARD}/${asset}`, admin);
      expect({ asset, status: response.status }).toEqual({ asset, status: 200 });
      await response.arrayBuffer();
    }

    const api = await get(`${BOARD}/api/queues`, admin);
    expect(api.status).toBe(200);
    const { queues } = (await api.json()) as { queues: Array<{ name: string }> };
    expect(queues.map((q) => q.name).sort()).toEqual(Object.values(QUEUES).sort());
    // The /queues API beside it is still Nest's, not shadowed by the board.
    expect((await cp.api('GET', `/queues/${QUEUES.notifications}`)).body).toMatchObject({ name: QUEUES.notifications });
  });

  it('opens for whoever signed in through the console (the cookie), and closes once that token is revoked', async () => {
    const session = await consoleLogin(cp.config.http.adminToken);
    expect((await get(BOARD, { cookie: session })).status).toBe(200);

    const { token } = (await cp.api('POST', '/tokens', { name: 'board-short-lived', role: 'admin' })).body;
    const revocable = await consoleLogin(token);
    expect((await get(`${BOARD}/api/queues`, { cookie: revocable })).status).toBe(200);
    expect((await cp.api('DELETE', '/tokens/board-short-lived')).status).toBe(204);
    expect((await get(`${BOARD}/api/queues`, { cookie: revocable })).status).toBe(401);
  });

  it('records what an admin changes through the board in the audit log', async () => {
    const admin = { ...bearer(cp.config.http.adminToken), 'content-type': 'application/json' };
    const pause = await fetch(url(`${BOARD}/api/queues/${QUEUES.notifications}/pause`), {
      method: 'PUT',
      headers: admin,
    });
    expect(pause.status).toBe(200);
    expect((await cp.api('GET', `/queues/${QUEUES.notifications}`)).body.paused).toBe(true);
    const resume = await fetch(url(`${BOARD}/api/queues/${QUEUES.notifications}/resume`), {
      method: 'PUT',
      headers: admin,
    });
    expect(resume.status).toBe(200);

    const { items } = (await cp.api('GET', '/audit?actor=admin')).body;
    expect(items.map((e: { action: string; target: string }) => `${e.action} ${e.target}`)).toEqual(
      expect.arrayContaining([
        `queue-board.put queue-board:/api/queues/${QUEUES.notifications}/pause`,
        `queue-board.put queue-board:/api/queues/${QUEUES.notifications}/resume`,
      ]),
    );
  });

  describe('in Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('renders every queue under its CSP after a console sign-in, and a 401 page before one', async () => {
      const context = await openContext(browser, DESKTOP);
      const page = await context.newPage();
      const before = await page.goto(url(BOARD));
      expect(before?.status()).toBe(401);
      await page.getByRole('link', { name: 'Sign in through the operator console' }).waitFor();

      const errors = pageErrors(page);
      await signIn(page, cp);
      await page.goto(url(BOARD));
      for (const name of Object.values(QUEUES)) await page.getByText(name, { exact: true }).first().waitFor();
      // The overview's cards come from a lazily loaded chunk and the board's API: both under the base path.
      await page
        .getByText(/^\d+ Jobs$/)
        .first()
        .waitFor();
      await screenshot(page, 'queue-board');
      // Only the board's Google Fonts stylesheet may be refused (the CSP keeps the page on this origin).
      expect(errors.filter((e) => !e.includes('fonts.googleapis.com'))).toEqual([]);
      await context.close();
    });
  });
});
