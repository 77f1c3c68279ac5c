import type { FieldValue, Rejection } from '@citypulse/contracts';

/** Limits for one telemetry publish. `receivedAtMs` is the broker's receive time; the rest come from config. */
export interface TelemetryLimits {
  receivedAtMs: number;
  /** Larger payloads are refused before parsing (payload_too_large). */
  maxPayloadBytes: number;
  /** Most readings in one publish: batch entries, or distinct times of a SenML pack (batch_too_large). */
  maxBatchReadings: number;
  /** How far ahead of the broker clock a device timestamp may be (timestamp_in_future). */
  maxFutureSkewMs: number;
  /** How far behind the broker clock a device timestamp may be (timestamp_too_old). */
  maxPastAgeMs: number;
}

export interface AcceptedReading {
  /** The device's own time in epoch ms (may be fractional from SenML); undefined when it sent none. */
  tsMs: number | undefined;
  values: Record<string, FieldValue>;
}

export interface DecodedTelemetry {
  accepted: AcceptedReading[];
  /** One entry per problem: a reading with three bad fields yields three rejections. */
  rejected: Rejection[];
  /** Readings dropped (a reading with several problems counts once; a refused payload counts as one). */
  rejectedReadings: number;
  /** Rejections left out of `rejected` beyond MAX_REJECTIONS_PER_PAYLOAD (their readings are still counted). */
  rejectionsOmitted: number;
}

/** Where a SenML value came from: its record (for the rejection index) and the unit it declared. */
export interface SenmlOrigin {
  record: number;
  unit: string | undefined;
}

/** A reading whose shape is right, before its timestamp and values are checked against the device type. */
export interface CandidateReading {
  /** Position in the batch, or first SenML record of this time; undefined for a single-reading payload. */
  index: number | undefined;
  /** As sent: undefined, epoch ms, or an ISO-8601 string. SenML times arrive already resolved to ms. */
  ts: unknown;
  values: Record<string, unknown>;
  /** SenML only, per field. */
  senml?: ReadonlyMap<string, SenmlOrigin>;
}

export interface DecodedPayload {
  candidates: CandidateReading[];
  rejected: Rejection[];
  rejectedReadings: number;
}
