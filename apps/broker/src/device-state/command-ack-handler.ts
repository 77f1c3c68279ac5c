import type { CommandStore } from '@citypulse/commands';
import { decodeCommandAck } from '@citypulse/devices';
import type { Metrics } from '@citypulse/observability';
import type { DeviceSession } from '../sessions.js';
import type { DeviceMessageRejections } from './device-message-rejections.js';

export interface CommandAckHandlerDeps {
  commands: CommandStore;
  rejections: DeviceMessageRejections;
  metrics: Metrics;
  maxPayloadBytes: number;
}

/**
 * A publish on `devices/{id}/command-acks`: the command moves to succeeded or failed, once. The
 * store checks the command is this device's own, so a device cannot settle another's command;
 * either refusal leaves the command as it was and tells the device why.
 */
export async function handleCommandAck(
  deps: CommandAckHandlerDeps,
  session: DeviceSession,
  payload: Buffer,
): Promise<void> {
  const deviceId = session.device.id;
  const decoded = decodeCommandAck(payload, deps.maxPayloadBytes);
  if (!decoded.ok) return deps.rejections.report(deviceId, 'command-acks', payload, decoded.rejected);
  const { ack } = decoded;
  const moved = await deps.commands.complete(deviceId, ack);
  if (moved.moved) {
    deps.metrics.commandTransitions.inc({ status: ack.status });
    return;
  }
  const rejection = moved.status
    ? {
        reason: 'command_closed' as const,
        field: 'id',
        detail: `command ${ack.id} is already ${moved.status}; the first outcome stands`,
      }
    : {
        reason: 'unknown_command' as const,
        field: 'id',
        detail: `${ack.id.slice(0, 64)} is not a command of ${deviceId}`,
      };
  deps.rejections.report(deviceId, 'command-acks', payload, [rejection]);
}
