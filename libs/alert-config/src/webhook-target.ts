import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { nonPublicAddress } from './private-address.js';

/** Resolves a host name to every address it has (dns.lookup with `all`). */
export type ResolveAll = (hostname: string) => Promise<LookupAddress[]>;

const systemResolve: ResolveAll = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
  );

/** A URL's host as an address or name: `[::1]` → `::1`. */
export function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

const PUBLIC_ONLY = 'webhooks go to public addresses only (CP_WEBHOOK_ALLOW_PRIVATE=true allows others)';

/**
 * Why a URL whose host is an IP literal may not be used (a non-public address), else undefined — also for a host name.
 */
export function literalTargetProblem(url: URL): string | undefined {
  const host = hostOf(url);
  const why = isIP(host) ? nonPublicAddress(host) : undefined;
  return why && `points at ${host}, a ${why} address: ${PUBLIC_ONLY}`;
}

/**
 * Why a webhook URL may not be used, or undefined when it may: its host is (or resolves to) a
 * non-public address. Every address a name resolves to must be public — a name answering with one
 * public and one loopback address would otherwise reach loopback on some attempts. Checked when a
 * webhook is created; delivery checks again on the addresses it actually connects to
 * (`publicOnlyLookup`), since a DNS answer can change after the check.
 */
export async function webhookTargetProblem(
  rawUrl: string,
  resolveAll: ResolveAll = systemResolve,
): Promise<string | undefined> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return 'is not a URL';
  }
  const host = hostOf(url);
  if (isIP(host)) return literalTargetProblem(url);
  let addresses: LookupAddress[];
  try {
    addresses = await resolveAll(host);
  } catch (err) {
    return `host ${host} does not resolve (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
  }
  if (addresses.length === 0) return `host ${host} does not resolve`;
  const bad = addresses.find((a) => nonPublicAddress(a.address));
  return bad && `host ${host} resolves to ${bad.address}, a ${nonPublicAddress(bad.address)} address: ${PUBLIC_ONLY}`;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** The error a connection gets when its host resolved to a non-public address. */
export class NonPublicAddressError extends Error {
  readonly code = 'ENONPUBLIC';
}

/**
 * A `lookup` for net/http connections that resolves as usual and fails the connection when any
 * address is not public: the check happens on the very answer the socket connects to, so a name
 * that resolved to a public address at creation and to 127.0.0.1 now cannot reach loopback.
 * (An IP-literal host skips lookup altogether: check it with `webhookTargetProblem` first.)
 */
export function publicOnlyLookup(resolveAll: ResolveAll = systemResolve) {
  return (
    hostname: string,
    options: { all?: boolean; family?: number | string } | undefined,
    callback: LookupCallback,
  ): void => {
    resolveAll(hostname).then(
      (addresses) => {
        const wanted =
          options?.family === 4 || options?.family === 6
            ? addresses.filter((a) => a.family === options.family)
            : addresses;
        const bad = addresses.find((a) => nonPublicAddress(a.address));
        if (bad)
          return callback(
            new NonPublicAddressError(
              `${hostname} resolved to ${bad.address}, a ${nonPublicAddress(bad.address)} address: webhooks ` +
                `go to public addresses only`,
            ),
            '',
            0,
          );
        if (wanted.length === 0)
          return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
        if (options?.all) return callback(null, wanted);
        callback(null, wanted[0].address, wanted[0].family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}
