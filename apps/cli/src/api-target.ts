import { readFile } from 'node:fs/promises';

/** A bad command line: the CLI prints the message and exits with 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Where `npm start` writes the admin token it generates. */
const STACK_TOKEN_FILE = '.stack/api-token';

/** The API's base URL: --api, else the local one on CP_HTTP_PORT (13000), as the other CLIs. */
export function apiUrl(option: string | undefined): string {
  return (option ?? `http://127.0.0.1:${process.env.CP_HTTP_PORT || 13000}`).replace(/\/+$/, '');
}

/** The API token: --token-file, else CP_API_TOKEN, else the one `npm start` wrote to .stack/api-token. */
export async function apiToken(tokenFile: string | undefined): Promise<string> {
  if (tokenFile) return (await readFile(tokenFile, 'utf8')).trim();
  if (process.env.CP_API_TOKEN) return process.env.CP_API_TOKEN;
  try {
    return (await readFile(STACK_TOKEN_FILE, 'utf8')).trim();
  } catch {
    throw new UsageError(
      `no API token: set CP_API_TOKEN, pass --token-file, or run \`npm start\` once (it writes ${STACK_TOKEN_FILE})`,
    );
  }
}
