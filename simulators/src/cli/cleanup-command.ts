import { parseArgs } from 'node:util';
import { UsageError } from './args.js';
import { resolveTarget } from './target.js';

const PREFIX = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export interface CleanupSummary {
  prefix: string;
  cities: string[] | null;
  devices: number;
  alertsResolved: number;
  replaySessions: number;
}

/**
 * Removes the devices a run or replay left behind (`<prefix>-…`) through the API
 * (POST /simulation/cleanup: devices with their credentials, presence, shadow, rule state; open
 * alerts resolved; the replay session removed — audited, within the token's cities), then their
 * secrets from the local credentials file.
 */
export async function cleanupDevices(
  apiUrl: string,
  token: string,
  prefix: string,
  cities?: string[],
): Promise<CleanupSummary> {
  const response = await fetch(`${apiUrl}/simulation/cleanup`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ prefix, ...(cities && { cities }) }),
    signal: AbortSignal.timeout(600_000),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`POST /simulation/cleanup: ${response.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as CleanupSummary;
}

/** `sim cleanup --prefix sim1 [--city beijing]…`. */
export async function cleanupCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      prefix: { type: 'string' },
      city: { type: 'string', multiple: true },
      api: { type: 'string' },
      'token-file': { type: 'string' },
      credentials: { type: 'string' },
    },
    strict: true,
  });
  if (!values.prefix)
    throw new UsageError('which devices? npm run sim -- cleanup --prefix <prefix> (removes the devices <prefix>-…)');
  if (!PREFIX.test(values.prefix))
    throw new UsageError(`--prefix ${values.prefix}: 1-63 letters, digits, ".", "_" or "-"`);
  const cities = values.city?.flatMap((c) => c.split(',')).filter(Boolean);
  const target = await resolveTarget(values, (line) => console.error(`  ! ${line}`));
  const summary = await cleanupDevices(target.apiUrl, target.token, values.prefix, cities);
  const forgotten = target.store.forgetStartingWith(target.apiUrl, `${values.prefix}-`);
  await target.store.save();
  console.log(`${values.prefix}-*  in ${summary.cities?.join(', ') ?? 'every city'}`);
  console.log(
    `removed     ${summary.devices} devices (credentials, presence, shadow, rule state), ${forgotten} local secrets`,
  );
  console.log(`alerts      ${summary.alertsResolved} open alerts resolved`);
  console.log(`sessions    ${summary.replaySessions} replay sessions removed`);
}
