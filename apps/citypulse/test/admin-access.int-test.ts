import type { INestApplication } from '@nestjs/common';
import { QUEUES } from '@citypulse/contracts';
import { uniqueName } from '@citypulse/testing';
import { TestCitypulse } from './harness.js';

interface ExpressRouteLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

const CHANGES = new Set(['post', 'put', 'patch', 'delete']);

/**
 * Every route of the running app that changes something, as `POST /devices/{id}`, read from the express router itself.
 */
function changingRoutes(app: INestApplication): string[] {
  const stack = (app.getHttpAdapter().getInstance() as { router: { stack: ExpressRouteLayer[] } }).router.stack;
  const routes = stack.flatMap(({ route }) =>
    route
      ? Object.keys(route.methods)
          .filter((m) => CHANGES.has(m))
          .map((m) => `${m.toUpperCase()} ${route.path.replace(/:(\w+)/g, '{$1}')}`)
      : [],
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
  'POST /alerts/bulk',
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
    'POST /devices': {
      path: '/devices',
      body: { id: uniqueName('acl-new-'), type: 'env-sensor', city: 'tianjin', site: 'tj-port-1' },
    },
    'POST /devices/bulk': {
      path: '/devices/bulk',
      body: [{ id: uniqueName('acl-bulk-'), type: 'env-sensor', city: 'tianjin', site: 'tj-port-1' }],
    },
    'PATCH /devices/{id}': { path: `/devices/${device.id}`, body: { site: 'tj-elsewhere' } },
    'DELETE /devices/{id}': { path: `/devices/${device.id}` },
    'POST /devices/{id}/rotate': { path: `/devices/${device.id}/rotate` },
    'POST /devices/{id}/revoke': { path: `/devices/${device.id}/revoke` },
    'POST /devices/{id}/certificate': {
      path: `/devices/${device.id}/certificate`,
      body: { csr: 'not read: the role is checked first' },
    },
    'POST /devices/{id}/certificate/rotate': {
      path: `/devices/${device.id}/certificate/rotate`,
      body: { csr: 'not read: the role is checked first' },
    },
    'POST /devices/{id}/certificates': {
      path: `/devices/${device.id}/certificates`,
      body: { fingerprint: 'AB'.repeat(32) },
    },
    'POST /devices/certificates/bulk': {
      path: '/devices/certificates/bulk',
      body: [{ deviceId: device.id, fingerprint: 'CD'.repeat(32) }],
    },
    'POST /devices/{id}/certificates/{serial}/revoke': { path: `/devices/${device.id}/certificates/ABCDEF/revoke` },
    'PUT /devices/{id}/shadow/desired': {
      path: `/devices/${device.id}/shadow/desired`,
      body: { desired: { display_enabled: false } },
    },
    'POST /devices/{id}/commands': { path: `/devices/${device.id}/commands`, body: { name: 'reboot' } },
    // The role is checked before the body (the image) is read.
    'POST /firmware': { path: '/firmware?deviceType=env-sensor&version=9.9.9&city=tianjin' },
    'DELETE /firmware/{id}': { path: '/firmware/00000000-0000-4000-8000-000000000000' },
    'POST /tokens': { path: '/tokens', body: { name: uniqueName('sneaky-'), role: 'admin' }, clusterWide: true },
    'DELETE /tokens/{name}': { path: '/tokens/acl-admin', clusterWide: true },
    'POST /rules': {
      path: '/rules',
      body: {
        id: 'acl-co2',
        deviceType: 'env-sensor',
        field: 'co2',
        condition: { kind: 'above', threshold: 1000, clearBelow: 800 },
        severity: 'critical',
        description: 'not by an operator',
      },
      clusterWide: true,
    },
    'PUT /rules/{id}': { path: '/rules/env-sensor.co2-high', body: { enabled: false }, clusterWide: true },
    'DELETE /rules/{id}': { path: '/rules/env-sensor.co2-high', clusterWide: true },
    'POST /webhooks': {
      path: '/webhooks',
      body: { id: 'acl-hook', url: 'http://127.0.0.1:9/hook' },
      clusterWide: true,
    },
    'DELETE /webhooks/{id}': { path: '/webhooks/acl-hook', clusterWide: true },
    'POST /queues/{name}/jobs/{id}/retry': { path: `/queues/${queue}/jobs/1/retry`, clusterWide: true },
    'POST /queues/{name}/retry-failed': { path: `/queues/${queue}/retry-failed`, clusterWide: true },
    'DELETE /queues/{name}/jobs/{id}': { path: `/queues/${queue}/jobs/1`, clusterWide: true },
    // A city's channels and escalation policies: its admins' (a city-limited admin of tianjin may).
    'POST /cities/{city}/channels': { path: '/cities/tianjin/channels', body: { id: 'acl-mqtt', kind: 'mqtt' } },
    'PUT /cities/{city}/channels/{id}': {
      path: '/cities/tianjin/channels/acl-mqtt',
      body: { id: 'acl-mqtt', kind: 'mqtt', enabled: false },
    },
    'DELETE /cities/{city}/channels/{id}': { path: '/cities/tianjin/channels/acl-mqtt' },
    'PUT /cities/{city}/escalation-policies/{severity}': {
      path: '/cities/tianjin/escalation-policies/critical',
      body: { levels: [{ afterSeconds: 0, channels: [] }] },
    },
    'DELETE /cities/{city}/escalation-policies/{severity}': { path: '/cities/tianjin/escalation-policies/critical' },
    // A city's maintenance windows and fleet jobs: its admins'.
    'POST /maintenance-windows': {
      path: '/maintenance-windows',
      body: {
        city: 'tianjin',
        startsAt: '2030-01-01T00:00:00Z',
        endsAt: '2030-01-01T02:00:00Z',
        reason: 'not by an operator',
      },
    },
    'PUT /maintenance-windows/{id}': {
      path: '/maintenance-windows/mw-000000000000',
      body: {
        city: 'tianjin',
        startsAt: '2030-01-01T00:00:00Z',
        endsAt: '2030-01-01T02:00:00Z',
        reason: 'not by an operator',
      },
    },
    'DELETE /maintenance-windows/{id}': { path: '/maintenance-windows/mw-000000000000' },
    'POST /jobs': {
      path: '/jobs',
      body: {
        kind: 'command',
        command: { name: 'reboot' },
        selection: { city: 'tianjin', deviceIds: [device.id] },
        rollout: { ratePerMinute: 60 },
      },
    },
    'POST /jobs/{id}/pause': { path: '/jobs/00000000-0000-4000-8000-000000000000/pause' },
    'POST /jobs/{id}/resume': { path: '/jobs/00000000-0000-4000-8000-000000000000/resume' },
    'POST /jobs/{id}/cancel': { path: '/jobs/00000000-0000-4000-8000-000000000000/cancel' },
    // Sharing agreements between cities and simulation sessions/cleanup: a city's admins'.
    'POST /shares': {
      path: '/shares',
      body: {
        fromCity: 'tianjin',
        toCity: 'beijing',
        deviceTypes: ['env-sensor'],
        fields: ['co2'],
        granularity: { kind: 'raw' },
      },
    },
    'POST /shares/{id}/accept': { path: '/shares/00000000-0000-4000-8000-000000000000/accept' },
    'POST /shares/{id}/revoke': { path: '/shares/00000000-0000-4000-8000-000000000000/revoke' },
    'PUT /cities/{city}/districts': { path: '/cities/tianjin/districts', body: { districts: [] } },
    'POST /simulation/replay-sessions': {
      path: '/simulation/replay-sessions',
      body: { prefix: 'acl-replay', cities: ['tianjin'] },
    },
    'POST /simulation/replay-sessions/{prefix}/end': {
      path: '/simulation/replay-sessions/acl-replay/end',
      body: { endedAtMs: 0 },
    },
    'POST /simulation/cleanup': { path: '/simulation/cleanup', body: { prefix: 'acl-', cities: ['tianjin'] } },
  };
  const call = (route: string, token: string) => {
    const { path, body } = ADMIN_ONLY[route];
    return cp.api(route.split(' ')[0], path, body, token);
  };

  beforeAll(async () => {
    // Its webhook points at a local port: allowed explicitly (refused by default).
    cp = await TestCitypulse.start({ CP_WEBHOOK_ALLOW_PRIVATE: 'true' });
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
    expect((await cp.api('GET', '/tokens')).body.items.map((t: { name: string }) => t.name).sort()).toEqual([
      'acl-admin',
      'acl-operator',
    ]);
    expect((await cp.api('GET', '/maintenance-windows')).body.total).toBe(0);
    expect((await cp.api('GET', '/jobs')).body.total).toBe(0);
    expect((await cp.api('GET', '/shares')).body.items ?? (await cp.api('GET', '/shares')).body).toEqual([]);
    expect((await cp.api('GET', `/devices/${device.id}`)).status).toBe(200);
    expect(
      (await cp.api('GET', '/audit')).body.items.filter((e: { actor: string }) => e.actor === 'acl-operator'),
    ).toEqual([]);
  });

  it('answers an admin limited to some cities 403 on every route that affects all cities', async () => {
    const clusterWide = Object.keys(ADMIN_ONLY).filter((r) => ADMIN_ONLY[r].clusterWide);
    const answers: Record<string, number> = {};
    for (const route of clusterWide) answers[route] = (await call(route, cityAdmin)).status;
    expect(answers).toEqual(Object.fromEntries(clusterWide.map((r) => [r, 403])));
  });

  it('answers a request without a token 401 on every admin-only route', async () => {
    const answers: Record<string, number> = {};
    for (const route of Object.keys(ADMIN_ONLY)) {
      const { path, body } = ADMIN_ONLY[route];
      const response = await fetch(`http://127.0.0.1:${cp.running.httpPort}${path}`, {
        method: route.split(' ')[0],
        ...(body !== undefined && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
      answers[route] = response.status;
      await response.arrayBuffer();
    }
    expect(answers).toEqual(Object.fromEntries(Object.keys(ADMIN_ONLY).map((r) => [r, 401])));
  });

  it('leaves an audit entry naming the actor and the target of every admin action, found by the token’s name and by target prefix, paged', async () => {
    const root = await cp.issueToken('acl-root', 'admin');
    const id = uniqueName('acl-aud-');
    const bulkId = uniqueName('acl-aud-bulk-');
    const token = uniqueName('acl-aud-token-');
    const rule = {
      id: 'acl-aud-rule',
      deviceType: 'env-sensor',
      field: 'co2',
      condition: { kind: 'above', threshold: 1000, clearBelow: 800 },
      severity: 'warning',
    };
    /** [route, path, body, the target its audit entry must name] — in an order where each succeeds. */
    const steps: Array<[route: string, path: string, body: unknown, target: string]> = [
      ['POST /devices', '/devices', { id, type: 'env-sensor', city: 'tianjin', site: 'tj-port-1' }, `device:${id}`],
      [
        'POST /devices/bulk',
        '/devices/bulk',
        [{ id: bulkId, type: 'env-sensor', city: 'tianjin', site: 'tj-port-1' }],
        `device:${bulkId}`,
      ],
      ['PATCH /devices/{id}', `/devices/${id}`, { site: 'tj-elsewhere' }, `device:${id}`],
      ['POST /devices/{id}/rotate', `/devices/${id}/rotate`, undefined, `device:${id}`],
      ['POST /devices/{id}/revoke', `/devices/${id}/revoke`, undefined, `device:${id}`],
      [
        'PUT /devices/{id}/shadow/desired',
        `/devices/${id}/shadow/desired`,
        { desired: { display_enabled: false } },
        `device:${id}`,
      ],
      ['POST /devices/{id}/commands', `/devices/${id}/commands`, { name: 'reboot' }, `device:${id}`],
      [
        'POST /devices/{id}/certificates',
        `/devices/${id}/certificates`,
        { fingerprint: 'AB'.repeat(32) },
        `device:${id}`,
      ],
      [
        'POST /devices/{id}/certificates/{serial}/revoke',
        `/devices/${id}/certificates/${'AB'.repeat(32)}/revoke`,
        undefined,
        `device:${id}`,
      ],
      [
        'POST /devices/certificates/bulk',
        '/devices/certificates/bulk',
        [{ deviceId: id, fingerprint: 'CD'.repeat(32) }],
        'devices:bulk',
      ],
      ['DELETE /devices/{id}', `/devices/${id}`, undefined, `device:${id}`],
      ['POST /tokens', '/tokens', { name: token, role: 'operator' }, `token:${token}`],
      ['DELETE /tokens/{name}', `/tokens/${token}`, undefined, `token:${token}`],
      ['POST /rules', '/rules', rule, 'rule:acl-aud-rule'],
      ['PUT /rules/{id}', '/rules/acl-aud-rule', { ...rule, enabled: false }, 'rule:acl-aud-rule'],
      ['DELETE /rules/{id}', '/rules/acl-aud-rule', undefined, 'rule:acl-aud-rule'],
      ['POST /webhooks', '/webhooks', { id: 'acl-aud-hook', url: 'http://127.0.0.1:9/hook' }, 'webhook:acl-aud-hook'],
      ['DELETE /webhooks/{id}', '/webhooks/acl-aud-hook', undefined, 'webhook:acl-aud-hook'],
      ['POST /queues/{name}/retry-failed', `/queues/${queue}/retry-failed`, undefined, `queue:${queue}`],
      [
        'POST /cities/{city}/channels',
        '/cities/tianjin/channels',
        { id: 'acl-aud-mqtt', kind: 'mqtt' },
        'channel:tianjin/acl-aud-mqtt',
      ],
      [
        'PUT /cities/{city}/channels/{id}',
        '/cities/tianjin/channels/acl-aud-mqtt',
        { id: 'acl-aud-mqtt', kind: 'mqtt', name: 'MQTT' },
        'channel:tianjin/acl-aud-mqtt',
      ],
      [
        'PUT /cities/{city}/escalation-policies/{severity}',
        '/cities/tianjin/escalation-policies/warning',
        { levels: [{ afterSeconds: 0, channels: ['acl-aud-mqtt'] }] },
        'escalation-policy:tianjin/warning',
      ],
      [
        'DELETE /cities/{city}/escalation-policies/{severity}',
        '/cities/tianjin/escalation-policies/warning',
        undefined,
        'escalation-policy:tianjin/warning',
      ],
      [
        'DELETE /cities/{city}/channels/{id}',
        '/cities/tianjin/channels/acl-aud-mqtt',
        undefined,
        'channel:tianjin/acl-aud-mqtt',
      ],
      [
        'PUT /cities/{city}/districts',
        '/cities/tianjin/districts',
        { districts: [{ name: 'acl-aud-north', sites: ['tj-port-1'] }] },
        'districts:tianjin',
      ],
    ];
    // These need a failed job, or a city CA to sign with: audited in queues.controller.ts (job.retry is
    // asserted in alerts/notifications.int-test.ts) and device-certificates.controller.ts. Firmware
    // uploads take the image as a raw body: their audit is asserted in firmware/catalogue.int-test.ts.
    // Maintenance windows and fleet jobs get their ids from the server: their audit is asserted in
    // alerts/maintenance.int-test.ts and jobs/fleet-jobs.int-test.ts.
    const elsewhere = [
      'POST /queues/{name}/jobs/{id}/retry',
      'DELETE /queues/{name}/jobs/{id}',
      'POST /devices/{id}/certificate',
      'POST /devices/{id}/certificate/rotate',
      'POST /firmware',
      'DELETE /firmware/{id}',
      'POST /maintenance-windows',
      'PUT /maintenance-windows/{id}',
      'DELETE /maintenance-windows/{id}',
      'POST /jobs',
      'POST /jobs/{id}/pause',
      'POST /jobs/{id}/resume',
      'POST /jobs/{id}/cancel',
      // sharing.int-test.ts (share:<id>) and honest-replay / simulation specs (device:<prefix>-*).
      'POST /shares',
      'POST /shares/{id}/accept',
      'POST /shares/{id}/revoke',
      'POST /simulation/replay-sessions',
      'POST /simulation/replay-sessions/{prefix}/end',
      'POST /simulation/cleanup',
    ];
    expect([...steps.map(([route]) => route), ...elsewhere].sort()).toEqual(Object.keys(ADMIN_ONLY).sort());

    for (const [route, path, body] of steps) {
      const { status, body: answer } = await cp.api(route.split(' ')[0], path, body, root);
      expect([route, status < 300 ? 'ok' : `${status} ${JSON.stringify(answer)}`]).toEqual([route, 'ok']);
    }
    // As a person would type the actor: the token's name, in any case.
    const { items, total } = (await cp.api('GET', '/audit?actor=ACL-Root&limit=1000')).body;
    expect(total).toBe(steps.length);
    const found = (items as Array<{ actor: string; action: string; target: string }>)
      .map((e) => `${e.actor} ${e.target}`)
      .sort();
    expect(found).toEqual(steps.map(([, , , target]) => `acl-root ${target}`).sort());
    // By target prefix, also written as a route; paged like the other lists.
    const ofDevice = steps.filter(([, , , target]) => target === `device:${id}`).length;
    const devices = (await cp.api('GET', `/audit?target=${encodeURIComponent(`device:${id}`)}`)).body;
    expect(devices.total).toBe(ofDevice);
    expect(devices.items.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining([
        'device.delete',
        'device.command',
        'device.shadow.desired',
        'device.revoke',
        'device.rotate',
        'device.update',
        'device.provision',
      ]),
    );
    expect((await cp.api('GET', `/audit?target=${encodeURIComponent('devices/acl-aud-')}`)).body.total).toBe(
      ofDevice + 1,
    );
    expect((await cp.api('GET', `/audit?target=device:${id}&limit=2&offset=1`)).body).toMatchObject({
      items: devices.items.slice(1, 3),
      total: ofDevice,
      offset: 1,
      limit: 2,
    });
  });

  it('lets an operator act on alerts: an unknown alert is a 404, not a 403', async () => {
    const { status, body } = await cp.api('POST', '/alerts/no-such-alert/acknowledge', { by: 'olga' }, operator);
    expect({ status, message: body.message }).toEqual({
      status: 404,
      message: expect.stringContaining('no-such-alert'),
    });
  });
});
