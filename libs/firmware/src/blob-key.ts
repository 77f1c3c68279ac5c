/** Keys are image ids (UUIDs) or test names: never a path, in a directory or a bucket. */
const SAFE_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Throws on a key that could reach outside the store (a path, `..`, a prefix of other keys). */
export function assertSafeBlobKey(key: string): void {
  if (!SAFE_KEY.test(key)) throw new Error(`unsafe firmware blob key ${JSON.stringify(key)}`);
}
