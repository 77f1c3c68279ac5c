import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';

/*
 * Test support, on real sockets: a tiny HTTP server speaking just enough of InfluxDB's write API
 * (/write and /api/v2/write) to script failures a real server will not produce on demand
 * (413, 429 + Retry-After) and to record exactly what arrived on the wire; a refused port; and a
 * TCP proxy that makes a real server "come back" after an outage.
 */

export interface ReceivedWrite {
  path: string;
  contentEncoding?: string;
  /** Body bytes as sent (compressed when gzipped). */
  wireBytes: number;
  lines: string[];
}

/** What to answer to one request; `undefined` status means 204 (stored). */
export interface FakeAnswer {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface FakeInfluxServer {
  url: string;
  /** Requests answered 2xx: their lines count as stored. */
  stored: ReceivedWrite[];
  /** Every request, in arrival order, whatever was answered. */
  received: ReceivedWrite[];
  close(): Promise<void>;
}

/** `answer` decides per request (it sees the decoded body); requests it stores are recorded. */
export async function startFakeInflux(
  answer: (write: ReceivedWrite, index: number) => FakeAnswer = () => ({}),
  port = 0,
): Promise<FakeInfluxServer> {
  const stored: ReceivedWrite[] = [];
  const received: ReceivedWrite[] = [];
  const server = createServer((req, res) => void handle(req, res));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const encoding = req.headers['content-encoding'];
    const text = (encoding === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
    const write: ReceivedWrite = {
      path: req.url ?? '',
      contentEncoding: encoding,
      wireBytes: raw.length,
      lines: text === '' ? [] : text.split('\n'),
    };
    const reply = answer(write, received.length);
    received.push(write);
    const status = reply.status ?? 204;
    if (status < 300) stored.push(write);
    res.writeHead(status, { 'content-type': 'application/json', ...reply.headers });
    res.end(status === 204 ? undefined : (reply.body ?? JSON.stringify({ error: `scripted ${status}` })));
  }

  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    stored,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A TCP proxy from `port` to a real server: "InfluxDB is back" without touching InfluxDB. */
export function startProxy(port: number, to: { host: string; port: number }): { close(): void } {
  const sockets = new Set<Socket>();
  const server = createTcpServer((client) => {
    const upstream = connect(to.port, to.host);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  server.listen(port, '127.0.0.1');
  return {
    close() {
      server.close();
      for (const socket of sockets) socket.destroy();
    },
  };
}
