import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject, type SchemaObject } from '@nestjs/swagger';
import { QUEUE_BOARD_PATH } from '../queues/queue-board.js';
import { describeRouteDtos } from './describe-route-dtos.js';

/** Swagger UI; the document itself is at DOCS_JSON_PATH. */
export const DOCS_PATH = '/docs';
export const DOCS_JSON_PATH = '/docs/json';
export const BEARER_SCHEME = 'bearer';

/** The API's one error body (built only by common/bad-request.ts); `fields` names each field at fault. */
const ERROR_BODY: SchemaObject = {
  type: 'object',
  required: ['statusCode', 'error', 'message'],
  properties: {
    statusCode: { type: 'integer', example: 400 },
    error: { type: 'string', example: 'Bad Request' },
    message: { type: 'string', example: 'limit: limit must not be greater than 1000' },
    fields: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'problems'],
        properties: {
          field: { type: 'string', example: 'limit' },
          problems: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
};

/**
 * Serves the OpenAPI document of every route at /docs (Swagger UI) and /docs/json. Both are
 * plain express routes outside Nest's router, so TokenGuard does not see them: the document is
 * public, like the console's page — it describes the API and holds no data, while every route it
 * lists still needs the bearer token it declares (routes marked @Public say they do not).
 */
export function serveOpenApi(app: INestApplication): void {
  describeRouteDtos(app);
  const config = new DocumentBuilder()
    .setTitle('citypulse API')
    .setDescription(
      'Devices, telemetry, alerts and rules of the citypulse telemetry backbone. Every route needs ' +
        '`Authorization: Bearer <token>` unless it says otherwise.',
    )
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', description: 'CP_API_TOKEN, or a token issued by POST /tokens' },
      BEARER_SCHEME,
    )
    .addSecurityRequirements(BEARER_SCHEME)
    .addGlobalResponse({
      status: '4XX',
      description: 'Refused; a 400 names each field at fault in `fields`.',
      schema: ERROR_BODY,
    })
    .build();
  // Tagged by resource below, not by controller class (devices has five controllers).
  const document = tagByFirstSegment(
    withQueueBoard(SwaggerModule.createDocument(app, config, { autoTagControllers: false })),
  );
  SwaggerModule.setup(DOCS_PATH, app, document, { jsonDocumentUrl: DOCS_JSON_PATH, raw: ['json'] });
}

/**
 * The queue board is bull-board's own express app mounted outside Nest (queues/queue-board.ts), so
 * the scan cannot see it; its entry page is listed by hand. Its inner API is bull-board's, not ours.
 */
function withQueueBoard(document: OpenAPIObject): OpenAPIObject {
  document.paths[QUEUE_BOARD_PATH] = {
    get: {
      summary: 'The BullMQ queue dashboard (bull-board, HTML).',
      description:
        'Admin tokens of every city only, as `Authorization: Bearer` or the cookie `POST /console/session` ' +
        'sets for /queues.',
      responses: { '200': { description: 'the dashboard page', content: { 'text/html': {} } } },
    },
  };
  return document;
}

/**
 * Groups operations without an @ApiTags by their resource, the first path segment (`/devices/{id}/shadow` → devices;
 * `/` redirects to the console).
 */
function tagByFirstSegment(document: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths)) {
    const resource = path.split('/')[1] || 'console';
    for (const operation of [item.get, item.put, item.post, item.delete, item.patch]) {
      if (operation && !operation.tags?.length) operation.tags = [resource];
    }
  }
  return document;
}
