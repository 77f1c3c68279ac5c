import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface StoredCredential {
  secret: string;
  type: string;
  city: string;
  site: string;
}

/** Where device secrets live by default: a local, git-ignored file — never a capture. */
export const DEFAULT_CREDENTIALS_FILE = '.sim/credentials.json';

/**
 * Device secrets the simulator was given at provisioning, per API (one file can serve several
 * deployments), so later runs reuse devices instead of re-provisioning them. Written with mode
 * 0600; the secrets never leave this file.
 */
export class CredentialStore {
  private constructor(
    private readonly path: string,
    private readonly data: Record<string, Record<string, StoredCredential>>,
  ) {}

  static async open(path = DEFAULT_CREDENTIALS_FILE): Promise<CredentialStore> {
    try {
      return new CredentialStore(
        path,
        JSON.parse(await readFile(path, 'utf8')) as Record<string, Record<string, StoredCredential>>,
      );
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new CredentialStore(path, {});
      throw new Error(`cannot read the credentials file ${path}: ${(err as Error).message}`, { cause: err });
    }
  }

  get(apiUrl: string, deviceId: string): StoredCredential | undefined {
    return this.data[apiUrl]?.[deviceId];
  }

  set(apiUrl: string, deviceId: string, credential: StoredCredential): void {
    (this.data[apiUrl] ??= {})[deviceId] = credential;
  }

  delete(apiUrl: string, deviceId: string): void {
    delete this.data[apiUrl]?.[deviceId];
  }

  /** Forgets every device of `apiUrl` whose id starts with `idPrefix` (after they were removed there); how many. */
  forgetStartingWith(apiUrl: string, idPrefix: string): number {
    const devices = this.data[apiUrl] ?? {};
    const ids = Object.keys(devices).filter((id) => id.startsWith(idPrefix));
    for (const id of ids) delete devices[id];
    return ids.length;
  }

  async save(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    await writeFile(this.path, JSON.stringify(this.data, null, 1), { mode: 0o600 });
    await chmod(this.path, 0o600);
  }
}
