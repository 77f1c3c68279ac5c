import type { SchemaObject } from '@nestjs/swagger';
import { SCOPE_PATTERNS } from '@citypulse/rules';

const number = { type: 'number' } as const;
/** validateRule's ID. */
const RULE_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$';
const seconds = { type: 'integer', minimum: 0, maximum: 7 * 24 * 3600 } as const;

/**
 * The OpenAPI description of a rule body (POST /rules, PUT /rules/{id}). The body is checked by
 * `validateRule` (libs/rules), not class-validator, since its condition's shape depends on its
 * kind; this mirrors that check for the document and the Swagger UI.
 */
export const RULE_BODY_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['id', 'deviceType', 'condition', 'severity'],
  additionalProperties: false,
  properties: {
    id: {
      type: 'string',
      pattern: RULE_ID_PATTERN,
      description:
        'Alerts are keyed by (rule id, device id). On PUT it may be left out; if given it must equal the id ' +
        'in the path.',
    },
    key: {
      type: 'string',
      pattern: RULE_ID_PATTERN,
      description:
        'The slot this rule fills (default: its id); among rules sharing a key the most specific matching scope wins.',
    },
    deviceType: { type: 'string', example: 'env-sensor' },
    scope: {
      type: 'object',
      additionalProperties: false,
      properties: {
        city: { type: 'string', pattern: SCOPE_PATTERNS.city.pattern.source },
        site: { type: 'string', pattern: SCOPE_PATTERNS.site.pattern.source },
        deviceId: { type: 'string', pattern: SCOPE_PATTERNS.deviceId.pattern.source },
      },
    },
    field: {
      type: 'string',
      description: 'A numeric field of the device type; left out for deadman rules.',
      example: 'co2',
    },
    condition: {
      type: 'object',
      required: ['kind'],
      description:
        'above {threshold, clearBelow?} | below {threshold, clearAbove?} | outside {low, high, clearMargin?} ' +
        '| rate {min?, max?, clearMargin?} | deadman {afterSeconds, when?: no-data|offline}',
      properties: {
        kind: { type: 'string', enum: ['above', 'below', 'outside', 'rate', 'deadman'] },
        threshold: number,
        clearBelow: number,
        clearAbove: number,
        low: number,
        high: number,
        min: number,
        max: number,
        clearMargin: number,
        afterSeconds: seconds,
        when: { type: 'string', enum: ['no-data', 'offline'] },
      },
    },
    forSeconds: {
      ...seconds,
      default: 0,
      description: 'The condition must hold this long (event time) before the alert is raised.',
    },
    severity: { type: 'string', enum: ['info', 'warning', 'critical'] },
    enabled: { type: 'boolean', default: true },
    description: { type: 'string', maxLength: 500 },
    renotifySeconds: {
      ...seconds,
      description: 'Notify again this often while open and unacknowledged; 0 or absent: once.',
    },
  },
};
