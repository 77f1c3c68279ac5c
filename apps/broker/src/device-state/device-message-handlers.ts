import type { Aedes } from 'aedes';
import type { AppConfig } from '@citypulse/config';
import type { CommandStore } from '@citypulse/commands';
import type { DeadLetterStore } from '@citypulse/rejections';
import type { ShadowStore } from '@citypulse/shadow';
import type { DeviceRegistry } from '@citypulse/registry';
import type { Logger, Metrics } from '@citypulse/observability';
import type { DeviceSession } from '../sessions.js';
import { handleCommandAck } from './command-ack-handler.js';
import { DeviceMessageRejections } from './device-message-rejections.js';
import { handleState } from './state-handler.js';

/**
 * What authorize-publish hands the non-telemetry topics a device publishes to. Each resolves once the message is kept.
 */
export interface DeviceMessageHandlers {
  state(session: DeviceSession, payload: Buffer): Promise<void>;
  commandAck(session: DeviceSession, payload: Buffer): Promise<void>;
}

/** The stores a device's state and command acks are kept in. */
export interface DeviceMessageStores {
  shadows: ShadowStore;
  registry: DeviceRegistry;
  commands: CommandStore;
  deadLetters: DeadLetterStore;
}

export function createDeviceMessageHandlers(deps: {
  broker: () => Aedes;
  stores: DeviceMessageStores;
  config: AppConfig;
  metrics: Metrics;
  logger: Logger;
}): DeviceMessageHandlers {
  const { config, metrics, stores } = deps;
  const rejections = new DeviceMessageRejections(deps.broker, stores.deadLetters, metrics, deps.logger);
  const maxPayloadBytes = config.deviceMessages.maxPayloadBytes;
  const stateDeps = { shadows: stores.shadows, registry: stores.registry, rejections, maxPayloadBytes };
  const ackDeps = { commands: stores.commands, rejections, metrics, maxPayloadBytes };
  return {
    state: (session, payload) => handleState(stateDeps, session, payload),
    commandAck: (session, payload) => handleCommandAck(ackDeps, session, payload),
  };
}
