import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RedisClient } from '@citypulse/redis';
import type { Metrics } from '@citypulse/observability';

/**
 * A process that does not serve the HTTP API (a lone broker, ingest or alerts worker) still
 * answers the orchestrator's probes and Prometheus: GET /health (Redis answers) and GET /metrics.
 * Plain node:http: no routing, auth or validation is needed for two read-only probes on an
 * internal port.
 */
export async function startHealthServer(
  port: number,
  host: string,
  redis: RedisClient,
  metrics: Metrics,
): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url === '/health' || req.url === '/health/live') {
      const check = req.url === '/health' ? redis.ping() : Promise.resolve('PONG');
      check.then(
        () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}'),
        () => res.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"error","redis":"down"}'),
      );
    } else if (req.url === '/metrics') {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text),
        () => res.writeHead(500).end(),
      );
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return server;
}

export function boundPort(server: Server): number {
  return (server.address() as AddressInfo).port;
}
