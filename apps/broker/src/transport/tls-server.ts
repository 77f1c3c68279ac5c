import type { Server as TlsServer, TlsOptions } from 'node:tls';
import type { Logger, Metrics } from '@citypulse/observability';
import { secureContextOptions, type TlsCredentials, type TlsMaterial } from './tls-credentials.js';

/**
 * What the TLS and WSS listeners both do: ask every client for a certificate but never refuse the
 * handshake over it (rejectUnauthorized: false), so a device with a secret and no certificate logs
 * in as on TCP, and a bad certificate gets a CONNACK naming the refusal
 * (hooks/certificate-login.ts) instead of a bare TLS alert the device cannot tell from a network fault.
 */
export function tlsServerOptions(material: TlsMaterial): TlsOptions {
  return { ...secureContextOptions(material), requestCert: true, rejectUnauthorized: false };
}

/**
 * Applies reloaded certificates and device CAs to new handshakes (live connections untouched), and
 * counts failed handshakes (old protocol versions, no shared cipher, not TLS at all).
 */
export function followTlsCredentials(server: TlsServer, tls: TlsCredentials, metrics: Metrics, logger: Logger): void {
  tls.onReload((material) => {
    // A new context gets new session-ticket keys: keep the old ones so devices can still resume.
    const ticketKeys = server.getTicketKeys();
    server.setSecureContext(tlsServerOptions(material));
    server.setTicketKeys(ticketKeys);
  });
  server.on('tlsClientError', (err, socket) => {
    metrics.mqttConnectionErrors.inc({ kind: 'tls_handshake' });
    logger.debug({ address: socket.remoteAddress, err: err.message }, 'TLS handshake failed');
  });
}
