import type { ConfigValue } from '@citypulse/contracts';
import type { DeviceTypeDefinition } from '../catalogue/device-type.js';
import { checkValues, type ValueProblem } from './check-values.js';

export interface CheckedCommand {
  params: Record<string, ConfigValue>;
  problems: ValueProblem[];
}

/** A command request against the device type: a known name, every param present and valid, nothing else. */
export function checkCommand(type: DeviceTypeDefinition, name: string, params: unknown = {}): CheckedCommand {
  const command = Object.hasOwn(type.commands, name) ? type.commands[name] : undefined;
  if (!command) {
    return {
      params: {},
      problems: [
        {
          reason: 'unknown_command',
          detail: `${type.name} has no command ${JSON.stringify(name)} (${Object.keys(type.commands).join(', ')})`,
        },
      ],
    };
  }
  const checked = checkValues(command.params, params, {
    allowNull: false,
    what: `param of ${name}`,
    typeName: type.name,
  });
  const problems = [...checked.problems];
  for (const param of Object.keys(command.params)) {
    if (!Object.hasOwn(checked.values, param) && !problems.some((p) => p.key === param)) {
      problems.push({ key: param, reason: 'invalid_shape', detail: `${name} needs ${param}` });
    }
  }
  return { params: checked.values as Record<string, ConfigValue>, problems };
}
