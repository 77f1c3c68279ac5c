import type { Aedes, Client } from 'aedes';

/** aedes keeps its connected clients by client id at runtime but does not declare the map in its types. */
function clientMap(broker: Aedes): Record<string, Client> {
  return (broker as unknown as { clients: Record<string, Client> }).clients;
}

export function connectedClient(broker: Aedes, clientId: string): Client | undefined {
  return Object.hasOwn(clientMap(broker), clientId) ? clientMap(broker)[clientId] : undefined;
}

export function connectedClients(broker: Aedes): Client[] {
  return Object.values(clientMap(broker));
}
