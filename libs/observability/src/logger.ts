import { pino, type DestinationStream, type Logger } from 'pino';

export type { DestinationStream, Logger };

/**
 * Structured JSON logs; one root logger per process, children per component. Written to stdout
 * unless a destination is given (tests read the lines back).
 */
export function createLogger(level: string, instanceId: string, destination?: DestinationStream): Logger {
  const options = { level, base: { instance: instanceId } };
  return destination ? pino(options, destination) : pino(options);
}
