/** Every reason a device can receive on its error topic. Documented in devices/README.md. */
export const REJECTION_REASONS = [
  'payload_too_large',
  'malformed_json',
  'invalid_shape',
  'batch_too_large',
  'empty_values',
  'unknown_field',
  'wrong_type',
  'not_finite',
  'out_of_range',
  'timestamp_invalid',
  'timestamp_in_future',
  'timestamp_too_old',
  'invalid_senml',
  'unknown_device_type',
  'handoff_unavailable',
  'city_rate_limited',
  'unknown_command',
  'command_closed',
] as const;

export type RejectionReason = (typeof REJECTION_REASONS)[number];

/** One rejected reading (or whole payload when `index` is undefined). */
export interface Rejection {
  reason: RejectionReason;
  /** Position of the reading inside a batch / SenML pack; absent when the whole payload is bad. */
  index?: number;
  /** The field at fault, when there is one. */
  field?: string;
  /** Human-readable detail, e.g. "45.2 is above max 40". */
  detail: string;
}

/** What the broker publishes on `devices/{id}/errors`. */
export interface DeviceErrorMessage {
  topic: string;
  receivedAt: string;
  accepted: number;
  rejected: Rejection[];
}
