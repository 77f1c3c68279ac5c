import type { INestApplication } from '@nestjs/common';
import { QUEUES } from '@citypulse/contracts';
import { uniqueName } from '@citypulse/testing';
import { TestCitypulse } from './harness.js';

interface ExpressRouteLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

const CHANGES = new Set(['post', 'put', 'patch', 'delete']);

/** Every route of the running app that changes something, as `POST /devices/{id}`, read from the express router itself. */
function changingRoutes(app: INestApplication): string[] {
  const stack = (app.getHttpAdapter().getInstance() as { router: { stack: ExpressRouteLayer[] } }).router.stack;
  const routes = stack.flatMap(({ route }) =>
    route ? Object.keys(route.methods).filter((m) => CHANGES.has(m)).map((m) => `${m.toUpperCase()} ${route.path.replace(/:(\w+)/g, '{$1}')}`) : [],
  );
  return [...new Set(routes)].sort();
}

/**
 * What an operator token may change (README, "Tenants, tokens and operator streams"): the alert
 * lifecycle within its cities (operators' work), and its own console session.
 */
const OPERATOR_MAY = [
  'POST /alerts/{id}/acknowledge',
  'POST /alerts/{id}/assign',
  'POST /alerts/{id}/snooze',
  'POST /alerts/{id}/resolve',
  'POST /console/session',
  'DELETE /console/session',
];

/**
 * Which tokens may use every route that changes something: operators (read-only) may not use any
 * but the alert lifecycle, and what affects every city (tokens, rules, webhooks, queue jobs) needs
 * an admin of every city. A route added without being placed here fails the first test.
 */
describe('admin-only changes', () => {
  let cp: TestCitypulse;
  let operator: string;
  let cityAdmin: string;
  const device = { id: uniqueName('acl-'), type: 'env-sensor', city: 'tianjin', site: 'tj-port-1' };
  const queue = QUEUES.notifications;

  /** A request of each admin-only route, with a body the route would accept from an admin. */
  const ADMIN_ONLY: Record<string, { path: string; body?: unknown; clusterWide?: true }> = {
    'POST /devices': { path: '/devices', body: { id: uniqueName('acl-new-'), type: 'env-sensor', city: 'tianjin', site: 'tj-port-1' } },
    'POST /devices/bulk': { path: '/devices/bulk', body: [{ id: uniqueName('acl-bulk-'), type: 'env-sensor', city: 'tianjin', site: 'tj-port-1' }] },
    'PATCH /devices/{id}': { path: `/devices/${device.id}`, body: { site: 'tj-elsewhere' } },
    'DELETE /devices/{id}': { path: `/devices/${device.id}` },
    'POST /devices/{id}/rotate': { path: `/devices/${device.id}/rotate` },
    'POST /devices/{id}/revoke': { path: `/devices/${device.id}/revoke` },
    'POST /devices/{id}/certificate': { path: `/devices/${device.id}/certificate`, body: { csr: 'not read: the role is checked first' } },
    'POST /devices/{id}/certificate/rotate': { path: `/devices/${device.id}/certificate/rotate`, body: { csr: 'not read: the role is checked first' } },
    'POST /devices/{id}/certificates': { path: `/devices/${device.id}/certificates`, body: { fingerprint: 'AB'.repeat(32) } },
    'POST /devices/certificates/bulk': { path: '/devices/certificates/bulk', body: [{ deviceId: device.id, fingerprint: 'CD'.repeat(32) }] },
    'POST /devices/{id}/certificates/{serial}/revoke': { path: `/devices/${device.id}/certificates/ABCDEF/revoke` },
    'PUT /devices/{id}/shadow/desired': { path: `/devices/${device.id}/shadow/desired`, body: { desired: { display_enabled: false } } },
    'POST /devices/{id}/commands': { path: `/devices/${device.id}/commands`, body: { name: 'reboot' } },
    'POST /tokens': { path: '/tokens', body: { name: uniqueName('sneaky-'), role: 'admin' }, clusterWide: true },
    'DELETE /tokens/{name}': { path: '/tokens/acl-admin', clusterWide: true },
    'POST /rules': {
      path: '/rules',
      body: { id: 'acl-co2', deviceType: 'env-sensor', field: 'co2', condition: { kind: 'above', threshold: 1000, clearBelow: 800 }, severity: 'critical', description: 'not by an operator' },
      clusterWide: true,
    },
    'PUT /rules/{id}': { path: '/rules/env-sensor.co2-high', body: { enabled: false }, clusterWide: true },
    'DELETE /rules/{id}': { path: '/rules/env-sensor.co2-high', clusterWide: true },
    'POST /webhooks': { path: '/webhooks', body: { id: 'acl-hook', url: 'http://127.0.0.1:9/hook' }, clusterWide: true },
    'DELETE /webhooks/{id}': { path: '/webhooks/acl-hook', clusterWide: true },
    'POST /queues/{name}/jobs/{id}/retry': { path: `/queues/${queue}/jobs/1/retry`, clusterWide: true },
    'POST /queues/{name}/retry-failed': { path: `/queues/${queue}/retry-failed`, clusterWide: true },
    'DELETE /queues/{name}/jobs/{id}': { path: `/queues/${queue}/jobs/1`, clusterWide: true },
  };
  const call = (route: string, token: string) => {
    const { path, body } = ADMIN_ONLY[route]!;
    return cp.api(route.split(' ')[0]!, path, body, token);
  };

  beforeAll(async () => {
    cp = await TestCitypulse.start();
    await cp.provision(device);
    // Operators of every city: their 403s come from the role, not from a city they cannot see.
    operator = await cp.issueToken('acl-operator', 'operator');
    cityAdmin = await cp.issueToken('acl-admin', 'admin', ['tianjin']);
  });
  afterAll(async () => {
    await cp?.stop();
  });

  it('has every route that changes something either admin-only or one an operator may use', () => {
    const placed = [...Object.keys(ADMIN_ONLY), ...OPERATOR_MAY].sort();
    expect(changingRoutes(cp.running.app as INestApplication)).toEqual(placed);
  });

  it('answers an operator token 403 on every admin-only route, and changes nothing', async () => {
    const answers: Record<string, number> = {};
    for (const route of Object.keys(ADMIN_ONLY)) answers[route] = (await call(route, operator)).status;
    expect(answers).toEqual(Object.fromEntries(Object.keys(ADMIN_ONLY).map((r) => [r, 403])));

    const stored = await cp.api('GET', `/devices/${device.id}`);
    expect(stored).toMatchObject({ status: 200, body: { site: device.site } });
    expect((await cp.api('GET', `/devices/${device.id}/commands`)).body.items).toEqual([]);
    expect((await cp.api('GET', `/devices/${device.id}/certificates`)).body.items).toEqual([]);
    expect((await cp.api('GET', '/rules/acl-co2')).status).toBe(404);
    expect((await cp.api('GET', '/rules/env-sensor.co2-high')).body).toMatchObject({ enabled: true });
    expect((await cp.api('GET', '/webhooks')).body.total).toBe(0);
    expect((await cp.api('GET', '/tokens')).body.items.map((t: { name: string }) => t.name).sort()).toEqual(['acl-admin', 'acl-operator']);
    expect((await cp.api('GET', '/audit')).body.items.filter((e: { actor: string }) => e.actor === 'acl-operator')).toEqual([]);
  });

  it('answers an admin limited to some cities 403 on every route that affects all cities', async () => {
    const clusterWide = Object.keys(ADMIN_ONLY).filter((r) => ADMIN_ONLY[r]!.clusterWide);
    const answers: Record<string, number> = {};
    for (const route of clusterWide) answers[route] = (await call(route, cityAdmin)).status;
    expect(answers).toEqual(Object.fromEntries(clusterWide.map((r) => [r, 403])));
  });

  it('answers a request without a token 401 on every admin-only route', async () => {
    const answers: Record<string, number> = {};
    for (const route of Object.keys(ADMIN_ONLY)) {
      const { path, body } = ADMIN_ONLY[route]!;
      const response = await fetch(`http://127.0.0.1:${cp.running.httpPort}${path}`, {
        method: route.split(' ')[0],
        ...(body !== undefined && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
      answers[route] = response.status;
      await response.arrayBuffer();
    }
    expect(answers).toEqual(Object.fromEntries(Object.keys(ADMIN_ONLY).map((r) => [r, 401])));
  });

  it('lets an operator act on alerts: an unknown alert is a 404, not a 403', async () => {
    const { status, body } = await cp.api('POST', '/alerts/no-such-alert/acknowledge', { by: 'olga' }, operator);
    expect({ status, message: body.message }).toEqual({ status: 404, message: expect.stringContaining('no-such-alert') });
  });
});
