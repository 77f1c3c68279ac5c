import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { literalTargetProblem, NonPublicAddressError, publicOnlyLookup } from '@citypulse/alert-config';
import { decideDelivery, type DeliveryDecision } from './delivery-decision.js';

export interface DeliveryOptions {
  timeoutMs: number;
  /** CP_WEBHOOK_ALLOW_PRIVATE: may the receiver be on a loopback, private, link-local or metadata address? */
  allowPrivateTargets: boolean;
}

const guardedLookup = publicOnlyLookup();

/**
 * POSTs a body to a receiver chosen by an API caller (webhook, chat webhook) and classifies the
 * outcome. Unless private targets are allowed, the address is checked where the connection is
 * made: an IP literal before connecting, a host name on the very DNS answer the socket uses
 * (`lookup`), so a name that resolved to a public address when the target was configured and to
 * 127.0.0.1 now reaches nothing. Redirects are not followed.
 */
export async function postGuarded(
  url: URL,
  body: string,
  headers: Record<string, string>,
  options: DeliveryOptions,
): Promise<DeliveryDecision> {
  // An IP literal never goes through lookup: judged here. A host name is judged by the lookup.
  const literal = options.allowPrivateTargets ? undefined : literalTargetProblem(url);
  if (literal) return decideDelivery({ refused: `target URL ${literal}` });
  try {
    const status = await post(
      url,
      body,
      { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers },
      options,
    );
    return decideDelivery({ status });
  } catch (err) {
    if (err instanceof NonPublicAddressError) return decideDelivery({ refused: err.message });
    return decideDelivery({ error: (err as Error).message });
  }
}

function post(url: URL, body: string, headers: Record<string, string>, options: DeliveryOptions): Promise<number> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers,
        agent: false,
        signal: AbortSignal.timeout(options.timeoutMs),
        ...(!options.allowPrivateTargets && { lookup: guardedLookup }),
      },
      (res: IncomingMessage) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
