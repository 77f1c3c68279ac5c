import { request } from 'node:http';
import { HostileRig } from './hostile-rig.js';

/**
 * Hostile HTTP: bodies too large, of the wrong type, not JSON, carrying prototype-pollution keys
 * or nesting; query strings with negative, huge, repeated or nested paging values; path
 * traversal and injection in ids; broken credentials. Every one gets a 4xx — never a 5xx and
 * never a success — the API stays up, the registry is unchanged, and the bystander devices
 * lose nothing meanwhile.
 */
let rig: HostileRig;
let victimId: string;
const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

beforeAll(async () => {
  rig = await HostileRig.start('hostile HTTP');
  victimId = (await rig.provision()).id;
});
afterAll(async () => {
  await rig?.stop();
});

interface RawRequest {
  method: string;
  /** Sent exactly as written: no URL normalisation of `..` or percent-escapes. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Leave out the admin token (it is sent by default). */
  anonymous?: boolean;
}

/** One HTTP request over a fresh connection; resolves with the status (0 if the server hung up without one). */
function send(r: RawRequest): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const headers: Record<string, string | number> = {
      ...(r.anonymous ? {} : { authorization: `Bearer ${rig.cp.config.http.adminToken}` }),
      ...r.headers,
    };
    if (r.body !== undefined) headers['content-length'] = Buffer.byteLength(r.body);
    const req = request(
      { host: '127.0.0.1', port: rig.cp.running.httpPort, method: r.method, path: r.path, headers, agent: false },
      (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end(r.body);
  });
}

const json = { 'content-type': 'application/json' };
let nextId = 0;
const device = (extra: Record<string, unknown> = {}) => ({
  id: `hostile-${process.pid}-${++nextId}`,
  type: 'env-sensor',
  city: 'beijing',
  site: 'bj-site-1',
  ...extra,
});
const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/** [what, request, the 4xx statuses that count as the right refusal] */
type Case = [what: string, request: RawRequest, expected: number[]];

const BODIES: Case[] = [
  [
    'a 5 MB JSON body',
    { method: 'POST', path: '/devices', headers: json, body: JSON.stringify(device({ name: 'x'.repeat(5_000_000) })) },
    [413],
  ],
  [
    'a 200 KB JSON body (over the 100 kB limit)',
    { method: 'POST', path: '/devices', headers: json, body: JSON.stringify(device({ pad: 'x'.repeat(200_000) })) },
    [413],
  ],
  [
    'a 5 MB body to the bulk route without a token',
    {
      method: 'POST',
      path: '/devices/bulk',
      headers: json,
      body: JSON.stringify({ devices: Array.from({ length: 40_000 }, (_, i) => device({ id: `bulk-${i}` })) }),
      anonymous: true,
    },
    [401, 413],
  ],
  [
    'JSON sent as text/plain',
    { method: 'POST', path: '/devices', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(device()) },
    [400, 415],
  ],
  [
    'XML',
    {
      method: 'POST',
      path: '/devices',
      headers: { 'content-type': 'application/xml' },
      body: '<device><id>x</id></device>',
    },
    [400, 415],
  ],
  ['no content type', { method: 'POST', path: '/devices', body: JSON.stringify(device()) }, [400, 415]],
  ['truncated JSON', { method: 'POST', path: '/devices', headers: json, body: '{"id": "abc", "type":' }, [400]],
  ['not JSON at all', { method: 'POST', path: '/devices', headers: json, body: 'id=abc&type=env-sensor' }, [400]],
  ['a JSON array', { method: 'POST', path: '/devices', headers: json, body: JSON.stringify([device()]) }, [400]],
  ['a JSON string', { method: 'POST', path: '/devices', headers: json, body: '"device"' }, [400]],
  ['JSON null', { method: 'POST', path: '/devices', headers: json, body: 'null' }, [400]],
  [
    '"__proto__" with extra powers',
    {
      method: 'POST',
      path: '/devices',
      headers: json,
      body: JSON.stringify(device()).replace(/}$/, ', "__proto__": {"isAdmin": true, "polluted": true}}'),
    },
    [400],
  ],
  [
    '"constructor.prototype"',
    {
      method: 'POST',
      path: '/devices',
      headers: json,
      body: JSON.stringify(device({ constructor: { prototype: { polluted: true } } })),
    },
    [400],
  ],
  [
    '"__proto__" as the id',
    { method: 'POST', path: '/devices', headers: json, body: JSON.stringify(device({ id: '__proto__' })) },
    [400],
  ],
  ['objects nested 5,000 deep', { method: 'POST', path: '/devices', headers: json, body: nested(5000) }, [400]],
  [
    '"__proto__" deep in a bulk row',
    {
      method: 'POST',
      path: '/devices/bulk',
      headers: json,
      body: `{"devices":[${JSON.stringify(device()).replace(/}$/, ', "__proto__": {"polluted": true}}')}]}`,
    },
    [400],
  ],
  [
    'a number for a string field',
    { method: 'POST', path: '/devices', headers: json, body: JSON.stringify(device({ id: 12345 })) },
    [400],
  ],
  [
    'an object for a string field',
    { method: 'POST', path: '/devices', headers: json, body: JSON.stringify(device({ city: { $ne: '' } })) },
    [400],
  ],
  [
    'an id with a NUL and a newline',
    { method: 'POST', path: '/devices', headers: json, body: JSON.stringify(device({ id: 'a\u0000b\nc' })) },
    [400],
  ],
  [
    'an id with a path',
    { method: 'POST', path: '/devices', headers: json, body: JSON.stringify(device({ id: '../../etc/passwd' })) },
    [400],
  ],
  [
    'an id with a Redis pattern',
    { method: 'POST', path: '/devices', headers: json, body: JSON.stringify(device({ id: '*' })) },
    [400],
  ],
  [
    'an id of 60 KB',
    { method: 'POST', path: '/devices', headers: json, body: JSON.stringify(device({ id: 'a'.repeat(60_000) })) },
    [400],
  ],
  [
    'an unknown extra field',
    { method: 'POST', path: '/devices', headers: json, body: JSON.stringify(device({ secret: 'my-own-secret' })) },
    [400],
  ],
  [
    'a PATCH changing the type and id',
    {
      method: 'PATCH',
      path: '/devices/VICTIM',
      headers: json,
      body: JSON.stringify({ id: 'other', type: 'hvac-unit' }),
    },
    [400],
  ],
];

const QUERIES: Case[] = [
  ['limit=-1', { method: 'GET', path: '/devices?limit=-1' }, [400]],
  ['limit=0', { method: 'GET', path: '/devices?limit=0' }, [400]],
  ['limit=1e10', { method: 'GET', path: '/devices?limit=1e10' }, [400]],
  ['limit=abc', { method: 'GET', path: '/devices?limit=abc' }, [400]],
  ['limit=1.5', { method: 'GET', path: '/devices?limit=1.5' }, [400]],
  ['limit=Infinity', { method: 'GET', path: '/devices?limit=Infinity' }, [400]],
  ['offset=-5', { method: 'GET', path: '/devices?offset=-5' }, [400]],
  [
    'offset=1e20 (an integer beyond Redis’ range)',
    { method: 'GET', path: '/devices?offset=100000000000000000000' },
    [400],
  ],
  ['offset=1e20 on alerts', { method: 'GET', path: '/alerts?offset=100000000000000000000' }, [400]],
  ['offset=1e20 on rejections', { method: 'GET', path: '/rejections?offset=100000000000000000000' }, [400]],
  ['limit repeated', { method: 'GET', path: '/devices?limit=1&limit=2' }, [400]],
  ['limit as an array', { method: 'GET', path: '/alerts?limit[]=1' }, [400]],
  ['an operator object in a filter', { method: 'GET', path: '/devices?city[$ne]=x' }, [400]],
  ['a nested object in a filter', { method: 'GET', path: '/alerts?state[a][b][c]=open' }, [400]],
  ['"__proto__" as a query key', { method: 'GET', path: '/devices?__proto__[polluted]=1' }, [400]],
  ['brackets nested 20 deep in a query', { method: 'GET', path: `/devices?city${'[a]'.repeat(20)}=x` }, [400]],
  [
    '"constructor[prototype]" as a query key',
    { method: 'GET', path: '/alerts?constructor[prototype][polluted]=1' },
    [400],
  ],
  ['an unknown filter', { method: 'GET', path: '/devices?secretHash=x' }, [400]],
  ['online=maybe', { method: 'GET', path: '/devices?online=maybe' }, [400]],
  ['a 100 KB query string', { method: 'GET', path: `/devices?city=${'a'.repeat(100_000)}` }, [400, 414, 431]],
];

const PATHS: Case[] = [
  ['an encoded traversal in a device id', { method: 'GET', path: '/devices/..%2F..%2Fetc%2Fpasswd' }, [400, 404]],
  ['a raw traversal', { method: 'GET', path: '/devices/../../etc/passwd' }, [400, 404]],
  ['a backslash traversal', { method: 'GET', path: '/devices/..%5C..%5Cwindows' }, [400, 404]],
  ['an encoded dot-dot', { method: 'GET', path: '/devices/%2e%2e' }, [400, 404]],
  ['a NUL in an id', { method: 'GET', path: '/devices/abc%00def' }, [400, 404]],
  ['a broken percent-escape', { method: 'GET', path: '/devices/%E0%A4%A' }, [400, 404]],
  ['a Redis wildcard id', { method: 'GET', path: '/devices/*' }, [400, 404]],
  ['a Redis wildcard delete', { method: 'DELETE', path: '/devices/*' }, [400, 404]],
  ['a traversal delete', { method: 'DELETE', path: '/devices/..%2FVICTIM' }, [400, 404]],
  ['an id of 8 KB', { method: 'GET', path: `/devices/${'a'.repeat(8000)}` }, [400, 404, 414, 431]],
  [
    'InfluxQL injection in the telemetry id',
    { method: 'GET', path: `/telemetry/${encodeURIComponent("x' OR device_id =~ /.*/ OR '1'='1")}/latest` },
    [400, 404],
  ],
  [
    'a statement injection in the telemetry id',
    { method: 'GET', path: `/telemetry/${encodeURIComponent('x"; DROP DATABASE "citypulse')}/latest` },
    [400, 404],
  ],
  ['a traversal in an alert id', { method: 'GET', path: '/alerts/..%2F..%2Fkeys' }, [400, 404]],
  ['a traversal in a queue name', { method: 'GET', path: '/queues/..%2F..%2Fbull' }, [400, 404]],
];

const AUTH: Case[] = [
  ['no token', { method: 'GET', path: '/devices', anonymous: true }, [401]],
  [
    'an empty bearer',
    { method: 'GET', path: '/devices', anonymous: true, headers: { authorization: 'Bearer ' } },
    [401],
  ],
  [
    'a basic-auth header',
    {
      method: 'GET',
      path: '/devices',
      anonymous: true,
      headers: { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` },
    },
    [401],
  ],
  [
    'a 10 KB token',
    { method: 'GET', path: '/devices', anonymous: true, headers: { authorization: `Bearer ${'a'.repeat(10_000)}` } },
    [401],
  ],
  [
    'a 40 KB header',
    { method: 'GET', path: '/devices', anonymous: true, headers: { authorization: `Bearer ${'a'.repeat(40_000)}` } },
    [431],
  ],
  [
    'the token twice',
    { method: 'GET', path: '/devices', anonymous: true, headers: { authorization: 'Bearer x Bearer y' } },
    [401],
  ],
];

describe.each([
  ['hostile HTTP bodies', BODIES],
  ['hostile query strings', QUERIES],
  ['hostile paths and ids', PATHS],
  ['broken credentials', AUTH],
])('%s', (category, cases) => {
  it.each(cases)('%s', async (what, r, expected) => {
    const { status, body } = await send({ ...r, path: r.path.replace('VICTIM', victimId) });
    const ok = expected.includes(status);
    rig.tally.record(category, ok, `${what}: ${status} ${body.slice(0, 200)}`);
    expect(expected).toContain(status);
  });

  it('leaves the API serving', async () => {
    expect(await rig.checkSurvived(category)).toBe(true);
  });
});

describe('bearer scheme', () => {
  const category = 'bearer scheme';

  it.each(['bearer', 'BEARER', 'bEaReR'])(
    'takes the admin token with the scheme written %s (RFC 9110: case-insensitive)',
    async (scheme) => {
      const { status, body } = await send({
        method: 'GET',
        path: '/devices?limit=1',
        anonymous: true,
        headers: { authorization: `${scheme} ${rig.cp.config.http.adminToken}` },
      });
      rig.tally.record(category, status === 200, `${scheme}: ${status} ${body.slice(0, 200)}`);
      expect(status).toBe(200);
    },
  );

  it('leaves the API serving', async () => {
    expect(await rig.checkSurvived(category)).toBe(true);
  });
});

const rule = (id: string, scope: Record<string, unknown>) => ({
  id,
  deviceType: 'env-sensor',
  field: 'co2',
  condition: { kind: 'above', threshold: 1000, clearBelow: 800 },
  severity: 'warning',
  scope,
});

describe('rule scopes', () => {
  const category = 'rule scope injection';
  const SCOPES: Array<[what: string, scope: Record<string, unknown>, field: string]> = [
    ['a site with a comma, an equals sign, a space and a newline', { site: 'a,b=c d\n' }, 'scope.site'],
    ['a site with line protocol escapes', { site: 'x\\ y' }, 'scope.site'],
    ['an upper-case city', { city: 'Beijing' }, 'scope.city'],
    ['a city with a quote', { city: "beijing' OR '1'='1" }, 'scope.city'],
    ['a city of 5 KB', { city: 'a'.repeat(5000) }, 'scope.city'],
    ['a Redis wildcard device id', { deviceId: '*' }, 'scope.deviceId'],
    ['a traversal device id', { deviceId: '../../x' }, 'scope.deviceId'],
    ['a NUL in a site', { site: 'bj\u0000site' }, 'scope.site'],
    ['a number for a city', { city: 7 }, 'scope.city'],
  ];

  it.each(SCOPES)('refuses %s with 400 naming the field, and stores no rule', async (what, scope, field) => {
    const id = `hostile-scope-${++nextId}`;
    const { status, body } = await rig.cp.api('POST', '/rules', rule(id, scope));
    const named = (body?.fields ?? []).map((f: { field: string }) => f.field);
    const ok = status === 400 && named.includes(field) && (await rig.cp.api('GET', `/rules/${id}`)).status === 404;
    rig.tally.record(category, ok, `${what}: ${status} ${JSON.stringify(body).slice(0, 200)}`);
    expect({ status, named }).toEqual({ status: 400, named: [field] });
  });

  it('leaves the API serving', async () => {
    expect(await rig.checkSurvived(category)).toBe(true);
  });
});

describe('tenant isolation', () => {
  const category = 'tenant isolation';
  let tjOperator: string;
  let tjAdmin: string;
  const bjRules = ['hostile-bj-city', 'hostile-bj-device', 'hostile-bj-site'];

  beforeAll(async () => {
    tjOperator = (
      await rig.cp.api('POST', '/tokens', {
        name: `hostile-tj-ops-${process.pid}`,
        role: 'operator',
        cities: ['tianjin'],
      })
    ).body.token;
    tjAdmin = (
      await rig.cp.api('POST', '/tokens', {
        name: `hostile-tj-admin-${process.pid}`,
        role: 'admin',
        cities: ['tianjin'],
      })
    ).body.token;
    for (const [id, scope] of [
      ['hostile-bj-city', { city: 'beijing' }],
      ['hostile-bj-device', { deviceId: victimId }],
      ['hostile-bj-site', { site: 'beijing-site-1' }],
      ['hostile-tj-city', { city: 'tianjin' }],
    ] as const) {
      expect((await rig.cp.api('POST', '/rules', rule(id, scope))).status).toBe(201);
    }
  });

  it('lists to a city-scoped token only the rules that can apply to its city, and answers 404 for another city’s', async () => {
    const listed = (await rig.cp.api('GET', '/rules?limit=1000', undefined, tjOperator)).body;
    const ids: string[] = listed.items.map((r: { id: string }) => r.id);
    for (const id of bjRules)
      rig.tally.record(category, !ids.includes(id), `GET /rules lists ${id} to a tianjin token`);
    expect(ids).toContain('hostile-tj-city');
    expect(ids).toContain('env-sensor.co2-high');
    expect(ids.filter((id) => bjRules.includes(id))).toEqual([]);
    expect(listed.total).toBe(ids.length);
    for (const id of bjRules) {
      const { status } = await rig.cp.api('GET', `/rules/${id}`, undefined, tjOperator);
      rig.tally.record(category, status === 404, `GET /rules/${id} to a tianjin token: ${status}`);
      expect([id, status]).toEqual([id, 404]);
    }
  });

  it('answers a city admin’s change to another city’s rule exactly as one to a rule that does not exist', async () => {
    for (const [method, body] of [
      ['PUT', { enabled: false }],
      ['DELETE', undefined],
    ] as const) {
      const theirs = await rig.cp.api(method, '/rules/hostile-bj-city', body, tjAdmin);
      const none = await rig.cp.api(method, '/rules/hostile-no-such-rule', body, tjAdmin);
      const same =
        theirs.status === none.status &&
        theirs.status >= 400 &&
        JSON.stringify(theirs.body).replaceAll('hostile-bj-city', 'X') ===
          JSON.stringify(none.body).replaceAll('hostile-no-such-rule', 'X');
      rig.tally.record(category, same, `${method} another city's rule: ${theirs.status} vs ${none.status}`);
      expect(same).toBe(true);
    }
    expect((await rig.cp.api('GET', '/rules/hostile-bj-city')).body).toMatchObject({ enabled: true });
  });

  it('answers a city admin provisioning an id held by another city exactly as an id held by nobody: nothing learnt', async () => {
    const fresh = `env-${'0'.repeat(4)}${process.pid}never`;
    const attempt = (id: string) => ({ id, type: 'env-sensor', city: 'tianjin', site: 'tj-port-1' });
    const routes: Array<[what: string, call: (id: string) => Promise<{ status: number; body: any }>]> = [
      ['POST /devices', (id) => rig.cp.api('POST', '/devices', attempt(id), tjAdmin)],
      ['POST /devices/bulk', (id) => rig.cp.api('POST', '/devices/bulk', [attempt(id)], tjAdmin)],
    ];
    for (const [what, call] of routes) {
      const taken = await call(victimId);
      const free = await call(fresh);
      const same =
        taken.status === free.status &&
        JSON.stringify(taken.body).replaceAll(victimId, 'X') === JSON.stringify(free.body).replaceAll(fresh, 'X');
      rig.tally.record(
        category,
        same,
        `${what} with another city's id: ${taken.status} ${JSON.stringify(taken.body).slice(0, 120)} vs an ` +
          `unused one: ${free.status}`,
      );
      expect({ taken: taken.status, free: free.status, same }).toEqual({
        taken: free.status,
        free: free.status,
        same: true,
      });
    }
    expect((await rig.cp.api('GET', `/devices/${victimId}`)).body).toMatchObject({ city: 'beijing' });
  });

  it('leaves the API serving', async () => {
    expect(await rig.checkSurvived(category)).toBe(true);
  });
});

describe('webhook targets', () => {
  const category = 'webhook targets';
  // Only loopback names and IP literals: nothing here may leave the machine.
  const TARGETS: Array<[what: string, url: string]> = [
    ['the Redis port on loopback', 'http://127.0.0.1:16379/'],
    ['localhost', 'http://localhost:16379/'],
    ['another loopback address', 'http://127.1.2.3/hook'],
    ['IPv6 loopback', 'http://[::1]:13000/hook'],
    ['loopback as an IPv4-mapped IPv6 address', 'http://[::ffff:127.0.0.1]/hook'],
    ['loopback as a decimal integer', 'http://2130706433/hook'],
    ['loopback in hex', 'http://0x7f000001/hook'],
    ['the unspecified address', 'http://0.0.0.0:16379/'],
    ['the cloud metadata address', 'http://169.254.169.254/latest/meta-data/'],
    ['the AWS IPv6 metadata address', 'http://[fd00:ec2::254]/latest/meta-data/'],
    ['link-local', 'http://169.254.10.20/hook'],
    ['IPv6 link-local', 'http://[fe80::1]/hook'],
    ['RFC 1918 10/8', 'https://10.1.2.3/hook'],
    ['RFC 1918 172.16/12', 'http://172.20.0.5/hook'],
    ['RFC 1918 192.168/16', 'http://192.168.1.10:8080/hook'],
    ['CGNAT 100.64/10', 'http://100.100.100.200/hook'],
    ['a unique-local IPv6 address', 'http://[fc00::5]/hook'],
  ];

  it.each(TARGETS)('refuses a webhook to %s with 400 naming url', async (what, url) => {
    const id = `hostile-hook-${++nextId}`;
    const { status, body } = await rig.cp.api('POST', '/webhooks', { id, url });
    const named = (body?.fields ?? []).map((f: { field: string }) => f.field);
    rig.tally.record(
      category,
      status === 400 && named.includes('url'),
      `${what} (${url}): ${status} ${JSON.stringify(body).slice(0, 200)}`,
    );
    expect({ status, named }).toEqual({ status: 400, named: ['url'] });
  });

  it('stored none of them', async () => {
    expect((await rig.cp.api('GET', '/webhooks')).body.total).toBe(0);
  });

  it('leaves the API serving', async () => {
    expect(await rig.checkSurvived(category)).toBe(true);
  });
});

describe('after all of it', () => {
  it('still holds the devices it held, unchanged, and Object.prototype is untouched', async () => {
    const { status, body } = await rig.cp.api('GET', `/devices/${victimId}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: victimId, type: 'env-sensor' });
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('lost none of the bystanders’ PUBACKed readings', async () => {
    expect(await rig.bystandersStillAcked()).toBeGreaterThan(20);
    expect(await rig.bystandersLost()).toEqual([]);
  });
});
