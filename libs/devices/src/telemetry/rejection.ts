import type { Rejection, RejectionReason } from '@citypulse/contracts';

const MAX_FIELD = 64;

/**
 * A Rejection with only the keys that apply (an absent `index` means "the whole payload"),
 * in the order a human reads them on the error topic. The field name is device-supplied, so clipped.
 */
export function rejection(
  reason: RejectionReason,
  index: number | undefined,
  field: string | undefined,
  detail: string,
): Rejection {
  if (field !== undefined && field.length > MAX_FIELD) field = field.slice(0, MAX_FIELD);
  if (index === undefined) return field === undefined ? { reason, detail } : { reason, field, detail };
  return field === undefined ? { reason, index, detail } : { reason, index, field, detail };
}
