import type { Rejection, RejectionReason } from '@citypulse/contracts';
import { isObject, quote, typeName } from './describe.js';
import { rejection } from './rejection.js';
import type { CandidateReading, DecodedPayload, SenmlOrigin, TelemetryLimits } from './types.js';

/** Keys that mark an array element as a SenML record rather than a `{ts, values}` reading. */
const SENML_MARKERS = ['n', 'bn', 'v', 'vs', 'vb', 'vd', 'bt', 't', 'u', 'bu', 'bv'];
/** RFC 8428 §4.5.3: a time below 2^28 s is relative to "now"; 0 means "now". */
const RELATIVE_TIME_LIMIT = 2 ** 28;

export function isSenmlRecord(value: unknown): boolean {
  return isObject(value) && SENML_MARKERS.some((key) => Object.hasOwn(value, key));
}

interface Base {
  bn: string;
  bt: number;
  bu: string | undefined;
  bv: number;
}

interface Group {
  index: number;
  tsMs: number | undefined;
  // Null prototype: a record named "__proto__" must become a key (and be rejected as unknown), not a prototype.
  values: Record<string, unknown>;
  origins: Map<string, SenmlOrigin>;
  bad: boolean;
}

interface Problem {
  reason: RejectionReason;
  detail: string;
}

/**
 * A SenML pack (RFC 8428 JSON) to readings: names and times resolved against the base fields,
 * records of the same resolved time merged into one reading. A record with a problem is rejected
 * with its index and takes the rest of its reading with it; a broken base field or an unknown
 * must-understand key (`…_`, §4.4) refuses the pack, as nothing after it can be resolved safely.
 */
export function decodeSenml(
  pack: unknown[],
  limits: Pick<TelemetryLimits, 'receivedAtMs' | 'maxBatchReadings'>,
): DecodedPayload {
  const rejected: Rejection[] = [];
  const groups = new Map<number | undefined, Group>();
  const base: Base = { bn: '', bt: 0, bu: undefined, bv: 0 };
  let looseRejects = 0;

  for (let i = 0; i < pack.length; i++) {
    const record = pack[i];
    if (!isObject(record)) {
      rejected.push(rejection('invalid_senml', i, undefined, `record is ${typeName(record)}; expected an object`));
      looseRejects++;
      continue;
    }
    const packProblem = mustUnderstand(record) ?? applyBase(record, base);
    if (packProblem) {
      rejected.push(rejection(packProblem.reason, i, undefined, `${packProblem.detail}; the pack is refused`));
      return { candidates: [], rejected, rejectedReadings: 1 };
    }
    if (record.v === undefined && record.vs === undefined && record.vb === undefined && isBaseOnly(record)) continue;

    const time = resolveTime(record, base, limits.receivedAtMs);
    if (typeof time === 'object') {
      rejected.push(rejection(time.reason, i, 't', time.detail));
      looseRejects++;
      continue;
    }
    let group = groups.get(time);
    if (!group) {
      group = {
        index: i,
        tsMs: time,
        values: Object.create(null) as Record<string, unknown>,
        origins: new Map(),
        bad: false,
      };
      groups.set(time, group);
    }
    const field = fieldName(record, base);
    const problem = recordProblem(record, field, group);
    if (problem) {
      rejected.push(rejection(problem.reason, i, field || undefined, problem.detail));
      group.bad = true;
      continue;
    }
    group.values[field] = record.v !== undefined ? (record.v as number) + base.bv : (record.vs ?? record.vb);
    group.origins.set(field, { record: i, unit: (record.u as string | undefined) ?? base.bu });
  }

  if (groups.size === 0 && rejected.length === 0) {
    return {
      candidates: [],
      rejected: [rejection('invalid_senml', undefined, undefined, 'the pack has no record with a value')],
      rejectedReadings: 1,
    };
  }
  if (groups.size > limits.maxBatchReadings) {
    const detail =
      `the pack holds ${groups.size} readings (distinct times); the limit is ${limits.maxBatchReadings} per ` +
      `publish`;
    return {
      candidates: [],
      rejected: [rejection('batch_too_large', undefined, undefined, detail)],
      rejectedReadings: 1,
    };
  }
  const candidates: CandidateReading[] = [];
  let rejectedReadings = looseRejects;
  for (const group of groups.values()) {
    if (group.bad) rejectedReadings++;
    else candidates.push({ index: group.index, ts: group.tsMs, values: group.values, senml: group.origins });
  }
  return { candidates, rejected, rejectedReadings };
}

function mustUnderstand(record: Record<string, unknown>): Problem | undefined {
  for (const key in record) {
    if (key.endsWith('_'))
      return {
        reason: 'invalid_senml',
        detail: `must-understand field ${quote(key)} is not supported (RFC 8428 §4.4)`,
      };
  }
  return undefined;
}

/** Base fields apply to this record and every later one (§4.1), so they are read before the record's own fields. */
function applyBase(record: Record<string, unknown>, base: Base): Problem | undefined {
  const { bn, bt, bu, bv, bs } = record;
  if (bn !== undefined && typeof bn !== 'string') return { reason: 'invalid_senml', detail: 'bn must be a string' };
  if (bt !== undefined && !isFiniteNumber(bt))
    return { reason: 'timestamp_invalid', detail: 'bt must be a finite number of seconds' };
  if (bu !== undefined && typeof bu !== 'string') return { reason: 'invalid_senml', detail: 'bu must be a string' };
  if (bv !== undefined && !isFiniteNumber(bv)) return { reason: 'invalid_senml', detail: 'bv must be a finite number' };
  if (bs !== undefined) return { reason: 'invalid_senml', detail: 'base sum (bs) is not supported' };
  if (bn !== undefined) base.bn = bn;
  if (bt !== undefined) base.bt = bt;
  if (bu !== undefined) base.bu = bu;
  if (bv !== undefined) base.bv = bv;
  return undefined;
}

/** A record that only sets base fields (e.g. `{"bn": "…", "bt": …}`) carries no measurement. */
function isBaseOnly(record: Record<string, unknown>): boolean {
  return (
    record.n === undefined &&
    record.u === undefined &&
    record.t === undefined &&
    record.vd === undefined &&
    record.s === undefined
  );
}

/** Epoch ms, undefined for "now" (the broker stamps it), or a problem. */
function resolveTime(record: Record<string, unknown>, base: Base, receivedAtMs: number): number | undefined | Problem {
  const t = record.t ?? 0;
  if (!isFiniteNumber(t)) return { reason: 'timestamp_invalid', detail: 't must be a finite number of seconds' };
  const seconds = base.bt + t;
  if (seconds === 0) return undefined;
  return Math.abs(seconds) < RELATIVE_TIME_LIMIT ? receivedAtMs + seconds * 1000 : seconds * 1000;
}

/**
 * The catalogue field is the last segment of the resolved name: `urn:dev:mac:…:co2` and `env-01/co2` both give `co2`.
 */
function fieldName(record: Record<string, unknown>, base: Base): string {
  const name = base.bn + (typeof record.n === 'string' ? record.n : '');
  return name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf(':')) + 1);
}

function recordProblem(record: Record<string, unknown>, field: string, group: Group): Problem | undefined {
  const { n, u, v, vs, vb } = record;
  const problem = (detail: string): Problem => ({ reason: 'invalid_senml', detail });
  if (record.vd !== undefined || record.s !== undefined)
    return problem('data values (vd) and sums (s) are not supported');
  const valueCount = Number(v !== undefined) + Number(vs !== undefined) + Number(vb !== undefined);
  if (valueCount === 0) return problem('record has no value (v, vs or vb)');
  if (valueCount > 1) return problem('record has more than one value');
  if (n !== undefined && typeof n !== 'string') return problem('n must be a string');
  if (u !== undefined && typeof u !== 'string') return problem('u must be a string');
  if (field === '') return problem('record has no name: the resolved name (bn + n) is empty or ends in / or :');
  // The kind of value (number, string, boolean) is the record's own claim; whether it fits the field is checked later.
  if (v !== undefined && typeof v !== 'number')
    return problem(`v must be a number, not ${typeName(v)}; strings go in vs, booleans in vb`);
  if (vs !== undefined && typeof vs !== 'string') return problem(`vs must be a string, not ${typeName(vs)}`);
  if (vb !== undefined && typeof vb !== 'boolean') return problem(`vb must be a boolean, not ${typeName(vb)}`);
  if (group.origins.has(field))
    return problem(`${field} appears twice at the same time (also record ${group.origins.get(field)?.record})`);
  return undefined;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
