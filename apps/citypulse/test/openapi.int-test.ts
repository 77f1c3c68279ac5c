import type { INestApplication } from '@nestjs/common';
import { TestCitypulse } from './harness.js';
import { DOCS_JSON_PATH, DOCS_PATH } from '../../api/src/openapi/openapi.js';

interface ExpressRouteLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

/**
 * Every route the running app's express router holds, as `GET /devices/{id}` — read from the
 * router itself rather than from Nest's metadata (which the document is built from), so a route
 * added past Nest's controllers is caught too. Swagger's own pages are left out; apps mounted
 * whole (the queue board) are not routes of this router, and are checked by name below.
 */
function registeredRoutes(app: INestApplication): string[] {
  const stack = (app.getHttpAdapter().getInstance() as { router: { stack: ExpressRouteLayer[] } }).router.stack;
  const routes = stack.flatMap(({ route }) => {
    if (!route || route.path === DOCS_PATH || route.path.startsWith(`${DOCS_PATH}/`)) return [];
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    return Object.keys(route.methods).map((method) => `${method.toUpperCase()} ${path}`);
  });
  return [...new Set(routes)].sort();
}

const OPERATIONS = ['get', 'put', 'post', 'delete', 'patch'] as const;

function documentedRoutes(document: any): string[] {
  return Object.entries(document.paths as Record<string, Record<string, unknown>>)
    .flatMap(([path, item]) => OPERATIONS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${path}`))
    .sort();
}

async function anonymous(cp: TestCitypulse, path: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${cp.running.httpPort}${path}`);
}

describe('the OpenAPI document of the all-in-one process', () => {
  let cp: TestCitypulse;
  let document: any;

  beforeAll(async () => {
    cp = await TestCitypulse.start();
    const response = await anonymous(cp, DOCS_JSON_PATH);
    expect(response.status).toBe(200);
    document = await response.json();
  });
  afterAll(async () => {
    await cp?.stop();
  });

  it('lists every route the app registered, method and path, and no route it does not serve', () => {
    const registered = registeredRoutes(cp.running.app as INestApplication);
    // The API has ~60 routes; a router read wrongly (no routes) must not pass as "all documented".
    expect(registered.length).toBeGreaterThan(50);
    expect(registered).toContain('GET /telemetry/{deviceId}/history');
    expect(registered.filter((r) => !documentedRoutes(document).includes(r))).toEqual([]);
    expect(documentedRoutes(document).filter((r) => !registered.includes(r))).toEqual(['GET /queues/board']);
  });

  it('lists the queue board, mounted outside Nest, and it is there', async () => {
    expect(document.paths['/queues/board'].get.tags).toEqual(['queues']);
    expect((await anonymous(cp, '/queues/board')).status).toBe(401);
    expect(
      (
        await fetch(`http://127.0.0.1:${cp.running.httpPort}/queues/board`, {
          headers: { authorization: `Bearer ${cp.config.http.adminToken}` },
        })
      ).status,
    ).toBe(200);
  });

  it('groups operations by resource', () => {
    expect(document.paths['/devices/{id}/shadow'].get.tags).toEqual(['devices']);
    expect(document.paths['/devices/bulk'].post.tags).toEqual(['devices']);
    expect(document.paths['/devices/certificates/bulk'].post.tags).toEqual(['devices']);
    expect(document.paths['/certificates/expiring'].get.tags).toEqual(['certificates']);
    expect(document.paths['/telemetry/cities/{city}/aggregate'].get.tags).toEqual(['telemetry']);
  });

  it('serves the Swagger UI page at /docs without a token', async () => {
    const page = await anonymous(cp, DOCS_PATH);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('swagger-ui');
    const init = await anonymous(cp, `${DOCS_PATH}/swagger-ui-init.js`);
    expect(init.status).toBe(200);
    expect(await init.text()).toContain('/telemetry/{deviceId}/history');
  });

  it('declares the bearer scheme for every route, except the public ones, which answer without a token', async () => {
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.security).toEqual([{ bearer: [] }]);
    const publicRoutes = documentedRoutes(document).filter((r) => {
      const [method, path] = r.split(' ');
      return document.paths[path][method.toLowerCase()].security?.every((s: object) => Object.keys(s).length === 0);
    });
    expect(publicRoutes).toEqual(
      [
        'DELETE /console/session',
        'GET /',
        'GET /console',
        'GET /console/{asset}',
        'GET /health',
        'GET /health/live',
      ].sort(),
    );
    for (const path of ['/health/live', '/console']) expect((await anonymous(cp, path)).status).toBe(200);
    expect((await anonymous(cp, '/devices')).status).toBe(401);
  });

  it('describes query parameters with the rules the API enforces', () => {
    const parameters = document.paths['/devices'].get.parameters as any[];
    const byName = Object.fromEntries(parameters.map((p) => [p.name, p]));
    expect(byName.limit).toMatchObject({
      in: 'query',
      required: false,
      schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    });
    expect(byName.offset).toMatchObject({
      in: 'query',
      required: false,
      schema: { type: 'integer', minimum: 0, default: 0 },
    });
    expect(byName.online).toMatchObject({ in: 'query', required: false, schema: { type: 'boolean' } });
    expect(byName.city.schema.pattern).toBe('^[a-z0-9][a-z0-9-]{0,39}$');
    const alertTime = (document.paths['/alerts'].get.parameters as any[]).find((p) => p.name === 'from');
    expect(alertTime).toMatchObject({ in: 'query', required: false, schema: { type: 'string' } });
  });

  it('describes request bodies with their required fields and constraints, and the one error body', () => {
    const body = document.paths['/devices'].post.requestBody.content['application/json'].schema;
    const schema = document.components.schemas[body.$ref.split('/').pop()];
    expect([...schema.required].sort()).toEqual(['city', 'id', 'site', 'type']);
    expect(schema.properties.type.enum).toContain('env-sensor');
    expect(schema.properties.name).toMatchObject({ type: 'string', minLength: 1, maxLength: 200 });
    const token =
      document.components.schemas[
        document.paths['/tokens'].post.requestBody.content['application/json'].schema.$ref.split('/').pop()
      ];
    expect(token.properties.cities).toMatchObject({
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,39}$' },
    });
    expect(document.paths['/rules'].post.requestBody.content['application/json'].schema.required).toContain(
      'condition',
    );
    const csr =
      document.components.schemas[
        document.paths['/devices/{id}/certificate'].post.requestBody.content['application/json'].schema.$ref
          .split('/')
          .pop()
      ];
    expect(csr).toMatchObject({
      required: ['csr'],
      properties: { csr: { type: 'string', minLength: 1, maxLength: 16384 } },
    });
    const days = (document.paths['/certificates/expiring'].get.parameters as any[]).find((p) => p.name === 'days');
    expect(days).toMatchObject({
      in: 'query',
      required: false,
      schema: { type: 'integer', minimum: 1, maximum: 3650, default: 30 },
    });
    expect(
      document.paths['/devices'].get.responses['4XX'].content['application/json'].schema.properties.fields.items
        .required,
    ).toEqual(['field', 'problems']);
  });
});

describe('the OpenAPI document of the api process alone', () => {
  it('lists the same telemetry routes at /docs/json', async () => {
    const cp = await TestCitypulse.start({}, ['api']);
    try {
      const document = (await (await anonymous(cp, DOCS_JSON_PATH)).json()) as any;
      expect(Object.keys(document.paths)).toEqual(
        expect.arrayContaining([
          '/telemetry/{deviceId}/latest',
          '/telemetry/{deviceId}/history',
          '/telemetry/cities/{city}/aggregate',
        ]),
      );
      expect(
        registeredRoutes(cp.running.app as INestApplication).filter((r) => !documentedRoutes(document).includes(r)),
      ).toEqual([]);
    } finally {
      await cp.stop();
    }
  });
});
