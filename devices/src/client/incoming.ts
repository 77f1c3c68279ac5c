import type { CommandMessage, ConfigMessage, DeviceErrorMessage } from '@citypulse/contracts';

/**
 * What the cloud sends a device, parsed defensively: firmware must not crash on a message it does
 * not understand, so anything malformed is undefined and ignored by the client.
 */
export function parseConfigMessage(payload: Buffer): ConfigMessage | undefined {
  const body = parse(payload);
  if (!isObject(body) || !Number.isInteger(body.version) || !isObject(body.desired)) return undefined;
  return {
    version: body.version as number,
    desired: body.desired as ConfigMessage['desired'],
    at: typeof body.at === 'string' ? body.at : '',
  };
}

export function parseCommandMessage(payload: Buffer): CommandMessage | undefined {
  const body = parse(payload);
  if (!isObject(body) || typeof body.id !== 'string' || typeof body.name !== 'string') return undefined;
  return {
    id: body.id,
    name: body.name,
    params: isObject(body.params) ? (body.params as CommandMessage['params']) : {},
    issuedAt: typeof body.issuedAt === 'string' ? body.issuedAt : '',
    deadline: typeof body.deadline === 'string' ? body.deadline : '',
  };
}

export function parseErrorMessage(payload: Buffer): DeviceErrorMessage | undefined {
  const body = parse(payload);
  if (!isObject(body) || !Array.isArray(body.rejected)) return undefined;
  return body as unknown as DeviceErrorMessage;
}

function parse(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
