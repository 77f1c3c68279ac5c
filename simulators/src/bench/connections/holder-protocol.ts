/**
 * Messages between the connections bench and its connection holders (child processes, one per
 * ~18,000 connections: each process may have only so many open files). JSON over the IPC channel.
 */
import type { FleetDevice } from '../common/connect-fleet.js';

export interface ConnectCommand {
  cmd: 'connect';
  devices: FleetDevice[];
  host: string;
  port: number;
  localAddresses: string[];
  keepaliveS: number;
  concurrency: number;
  /** CONNECTs per second for this holder; 0 = no cap. */
  perSecond: number;
  giveUpAfterFailuresInARow: number;
  /**
   * Over TLS to `port`: the CA of the broker's certificate (PEM), and whether each device resumes its latest session.
   */
  tls?: HolderTls;
}

export interface HolderTls {
  ca: string;
  /**
   * Offer each device's session ticket from its previous TLS connection (the holder keeps them); false = full
   * handshakes.
   */
  resume: boolean;
}

export interface HoldCommand {
  cmd: 'hold';
  seconds: number;
  /** Each connection publishes one QoS 1 reading this often. */
  publishIntervalS: number;
  /** Each connection sends PINGREQ this often. */
  keepaliveS: number;
}

export type HolderCommand =
  ConnectCommand | HoldCommand | { cmd: 'disconnect' } | { cmd: 'release'; count: number } | { cmd: 'exit' };

export interface ConnectedReply {
  cmd: 'connected';
  connected: number;
  failed: number;
  /** Failure messages with the device id and port numbers taken out, counted. */
  failureReasons: Record<string, number>;
  latenciesMs: number[];
  wallMs: number;
  gaveUp: boolean;
  /** TLS handshakes that resumed an earlier session. */
  resumed: number;
}

export interface HeldReply {
  cmd: 'held';
  /** Connections open when the hold began and when it ended. */
  openAtStart: number;
  openAtEnd: number;
  published: number;
  acked: number;
  pingreqs: number;
  pingresps: number;
  /** Closed by the broker (or the network) during the hold. */
  lost: number;
  /** Publish → PUBACK per acknowledged publish. */
  ackLatenciesMs: number[];
}

export type HolderReply =
  | ConnectedReply
  | HeldReply
  | { cmd: 'disconnected' }
  | { cmd: 'released'; open: number }
  | { cmd: 'error'; message: string };

/**
 * "bench-01234: connection closed before CONNACK" → "connection closed before CONNACK"; ports and addresses folded, so
 * alike failures count together.
 */
export function failureKind(message: string): string {
  return message
    .replace(/^bench-\d+: /, '')
    .replace(/\b\d{1,3}(\.\d{1,3}){3}:\d+\b/g, '<address>')
    .replace(/\d+ ms\b/, '<n> ms');
}
