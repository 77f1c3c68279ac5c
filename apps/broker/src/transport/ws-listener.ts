import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { Logger, Metrics } from '@citypulse/observability';
import type { ServeConnection } from './serve-connection.js';
import type { TlsCredentials } from './tls-credentials.js';
import { followTlsCredentials, tlsServerOptions } from './tls-server.js';

export const WS_PATH = '/mqtt';

/**
 * A WebSocket frame may carry a whole MQTT packet plus a little: anything larger is refused by ws before it is
 * buffered.
 */
const FRAME_SLACK_BYTES = 64;

/** What secure WebSocket needs beyond plain WebSocket. */
export interface WssDeps {
  tls: TlsCredentials;
  connectTimeoutMs: number;
  metrics: Metrics;
  logger: Logger;
}

/**
 * MQTT over WebSocket (ws://host:port/mqtt), or over secure WebSocket when `secure` is given: same
 * certificate and device CAs as the TLS listener, reloaded with it, and the same request for a
 * client certificate, which aedes' client keeps on `client.req.socket` for certificate login.
 * Each WebSocket becomes a stream for aedes; the HTTP request's remote address is put on it, so
 * the connect limiter counts the real client.
 */
export function createWsListener(serve: ServeConnection, maxPacketBytes: number, secure?: WssDeps): HttpServer {
  const notMqtt = (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' });
    res.end(`MQTT over WebSocket: connect to ${WS_PATH} with subprotocol mqtt\n`);
  };
  // noDelay: Nagle would hold small PUBACKs back, as on TCP.
  const server: HttpServer = secure
    ? createSecureServer(secure, notMqtt)
    : createHttpServer({ noDelay: true }, notMqtt);
  const wss = new WebSocketServer({
    server,
    path: WS_PATH,
    maxPayload: maxPacketBytes + FRAME_SLACK_BYTES,
    // MQTT-over-WebSocket clients offer "mqtt" (3.1.1) or "mqttv3.1"; answer with what they offered.
    handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : protocols.has('mqttv3.1') ? 'mqttv3.1' : false),
  });
  wss.on('connection', (socket, request) => {
    const stream = createWebSocketStream(socket);
    Object.defineProperty(stream, 'remoteAddress', { value: request.socket.remoteAddress });
    // A failed WebSocket (bad frame, oversized message) ends the stream; aedes sees the close.
    stream.on('error', () => stream.destroy());
    serve(stream, request);
  });
  server.on('close', () => wss.close());
  return server;
}

function createSecureServer(
  { tls, connectTimeoutMs, metrics, logger }: WssDeps,
  notMqtt: (req: IncomingMessage, res: ServerResponse) => void,
): HttpServer {
  const server: HttpsServer = createHttpsServer(
    { ...tlsServerOptions(tls.current), handshakeTimeout: connectTimeoutMs, noDelay: true },
    notMqtt,
  );
  followTlsCredentials(server, tls, metrics, logger);
  // An https.Server is an http.Server on TLS; the WebSocket side needs only its http.Server face.
  return server;
}
