import type { Aedes } from 'aedes';
import type { RedisClient } from '@citypulse/redis';
import type { AppConfig } from '@citypulse/config';
import { CommandStore } from '@citypulse/commands';
import { DeadLetterStore } from '@citypulse/rejections';
import { ShadowStore } from '@citypulse/shadow';
import { DeviceRegistry } from '@citypulse/registry';
import type { Logger, Metrics } from '@citypulse/observability';
import type { DeviceSession } from '../sessions.js';
import { handleCommandAck } from './command-ack-handler.js';
import { DeviceMessageRejections } from './device-message-rejections.js';
import { handleState } from './state-handler.js';

/** What authorize-publish hands the non-telemetry topics a device publishes to. Each resolves once the message is kept. */
export interface DeviceMessageHandlers {
  state(session: DeviceSession, payload: Buffer): Promise<void>;
  commandAck(session: DeviceSession, payload: Buffer): Promise<void>;
}

export function createDeviceMessageHandlers(deps: { broker: () => Aedes; redis: RedisClient; config: AppConfig; metrics: Metrics; logger: Logger }): DeviceMessageHandlers {
  const { config, metrics } = deps;
  const prefix = config.redis.prefix;
  const rejections = new DeviceMessageRejections(deps.broker, new DeadLetterStore(deps.redis, prefix), metrics, deps.logger);
  const maxPayloadBytes = config.deviceMessages.maxPayloadBytes;
  const stateDeps = { shadows: new ShadowStore(deps.redis, prefix), registry: new DeviceRegistry(deps.redis, prefix), rejections, maxPayloadBytes };
  const ackDeps = { commands: new CommandStore(deps.redis, prefix, config.commands), rejections, metrics, maxPayloadBytes };
  return {
    state: (session, payload) => handleState(stateDeps, session, payload),
    commandAck: (session, payload) => handleCommandAck(ackDeps, session, payload),
  };
}
