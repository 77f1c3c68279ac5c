import { checkCommand, checkConfigPatch, getDeviceType } from '@citypulse/devices';
import type { ConfigValue } from '@citypulse/contracts';
import type { JobPayload } from '@citypulse/jobs';
import type { CreateJobDto } from './create-job.dto.js';

export type FieldError = { field: string; message: string };

/**
 * A command or config job's payload checked against every device type in the selection (a command
 * or config key one of them lacks is a 400 naming the field), or the problems. (Firmware jobs are
 * checked per device by FirmwareUpdates.)
 */
export function checkPayload(
  body: CreateJobDto,
  typeNames: readonly string[],
): { payload?: JobPayload; problems: FieldError[] } {
  const problems: FieldError[] = [];
  const types = typeNames.map((name) => getDeviceType(name)).filter((t) => t !== undefined);
  if (body.kind === 'command') {
    const command = body.command!;
    let params: Record<string, ConfigValue> = {};
    for (const type of types) {
      const checked = checkCommand(type, command.name, command.params ?? {});
      params = checked.params;
      for (const p of checked.problems)
        problems.push({
          field:
            p.reason === 'unknown_command'
              ? 'command.name'
              : p.key === undefined
                ? 'command.params'
                : `command.params.${p.key}`,
          message: p.detail,
        });
    }
    return problems.length > 0
      ? { problems: dedupe(problems) }
      : { payload: { kind: 'command', name: command.name, params }, problems };
  }
  let desired: Record<string, ConfigValue> = {};
  for (const type of types) {
    const checked = checkConfigPatch(type, body.desired ?? {});
    for (const p of checked.problems)
      problems.push({ field: p.key === undefined ? 'desired' : `desired.${p.key}`, message: p.detail });
    const values = checked.values;
    for (const [key, value] of Object.entries(values)) {
      if (value === null)
        problems.push({
          field: `desired.${key}`,
          message: 'a job sets config values; null (removal) is not a value a device can report',
        });
    }
    desired = values as Record<string, ConfigValue>;
  }
  if (problems.length === 0 && Object.keys(desired).length === 0)
    problems.push({ field: 'desired', message: 'set at least one config key' });
  return problems.length > 0 ? { problems: dedupe(problems) } : { payload: { kind: 'config', desired }, problems };
}

function dedupe(problems: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.field}\n${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
