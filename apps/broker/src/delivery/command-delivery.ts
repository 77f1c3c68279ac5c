import type { Client } from 'aedes';
import { deviceTopic } from '@citypulse/contracts';
import { toCommandMessage, type CommandStore } from '@citypulse/commands';
import type { Logger, Metrics } from '@citypulse/observability';
import type { PubackTracker } from './puback-tracker.js';

/**
 * Sends a connected device its commands still waiting for a PUBACK (oldest first), and marks each
 * delivered when the PUBACK arrives. A command is sent once per connection: a notice and a
 * subscribe arriving together must not send it twice; one not PUBACKed on this connection is sent
 * again on the next, since it stays pending in Redis.
 */
export class CommandDelivery {
  private readonly sent = new WeakMap<Client, Set<string>>();

  constructor(
    private readonly commands: CommandStore,
    private readonly pubacks: PubackTracker,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {}

  async deliver(client: Client, deviceId: string): Promise<void> {
    let sent = this.sent.get(client);
    if (!sent) this.sent.set(client, (sent = new Set()));
    for (const command of await this.commands.due(deviceId)) {
      if (sent.has(command.id)) continue;
      sent.add(command.id);
      const payload = Buffer.from(JSON.stringify(toCommandMessage(command)));
      await this.pubacks.send(client, deviceTopic(deviceId, 'commands'), payload, () =>
        this.delivered(deviceId, command.id),
      );
      this.metrics.deviceDeliveries.inc({ kind: 'command' });
    }
  }

  private delivered(deviceId: string, commandId: string): void {
    this.commands.markDelivered(deviceId, commandId).then(
      (moved) => {
        if (moved.moved) this.metrics.commandTransitions.inc({ status: 'delivered' });
      },
      (err: Error) => this.logger.warn({ err, deviceId, commandId }, 'could not mark a command delivered'),
    );
  }
}
