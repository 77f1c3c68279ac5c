import type { Aedes } from 'aedes';
import type { Logger, Metrics } from '@citypulse/observability';
import { PacketTooLargeError } from './packet-size-guard.js';

export type ConnectionErrorKind =
  'packet_too_large' | 'malformed_packet' | 'connect_timeout' | 'keepalive_timeout' | 'protocol_violation' | 'socket';

/** mqtt-packet's parser errors: bytes that are not MQTT. */
const PARSER_ERRORS =
  /^(Invalid |Malformed |Cannot parse |Unknown property|Not supported|Packet too short|Packet must not|Connect flag|Will (QoS|Retain))/;

/**
 * Why aedes ended a connection, from the error it reports (aedes has no error codes, only
 * messages). Network failures (a reset, a broken pipe) are the client's link, not misbehaviour.
 */
export function connectionErrorKind(err: Error & { code?: string }): ConnectionErrorKind {
  if (err instanceof PacketTooLargeError)
    return Number.isFinite(err.declaredBytes) ? 'packet_too_large' : 'malformed_packet';
  if (err.code && /^E[A-Z]+$/.test(err.code)) return 'socket';
  if (err.message === 'connect did not arrive in time') return 'connect_timeout';
  if (err.message === 'keep alive timeout') return 'keepalive_timeout';
  if (PARSER_ERRORS.test(err.message)) return 'malformed_packet';
  return 'protocol_violation';
}

/**
 * Counts every connection aedes ends on an error, before CONNECT (`connectionError`) or after
 * (`clientError`), so hostile or broken clients show up in metrics instead of vanishing.
 */
export function countConnectionErrors(broker: Aedes, metrics: Metrics, logger: Logger): void {
  const count = (stage: 'before_connect' | 'after_connect') => (client: { id?: string | null } | null, err: Error) => {
    const kind = connectionErrorKind(err);
    metrics.mqttConnectionErrors.inc({ kind });
    logger.debug(
      { clientId: client?.id ?? undefined, stage, kind, err: err.message },
      'MQTT connection ended on an error',
    );
  };
  broker.on('connectionError', count('before_connect'));
  broker.on('clientError', count('after_connect'));
}
