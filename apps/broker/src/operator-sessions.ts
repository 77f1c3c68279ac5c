import type { Client } from 'aedes';

/**
 * An operator's tool logged in over MQTT with an API token (`operator:<token name>`): read-only, limited to its cities.
 */
export interface OperatorSession {
  tokenName: string;
  /** The cities it may see; null = every city. */
  cities: ReadonlySet<string> | null;
}

export const OPERATOR_USERNAME_PREFIX = 'operator:';

/** Operator logins by aedes client, apart from device sessions so device code never meets one. */
export class OperatorSessions {
  private readonly byClient = new WeakMap<Client, OperatorSession>();

  set(client: Client, session: OperatorSession): void {
    this.byClient.set(client, session);
  }

  get(client: Client | null): OperatorSession | undefined {
    return client ? this.byClient.get(client) : undefined;
  }
}
