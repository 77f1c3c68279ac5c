import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { RedisClient } from '@citypulse/redis';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { LOGGER, connectRedis } from '@citypulse/core';
import { CommandStore } from '@citypulse/commands';
import { parseControlEvent, RegistryKeys } from '@citypulse/registry';
import { ShadowStore } from '@citypulse/shadow';
import type { Logger } from '@citypulse/observability';

/**
 * Deletes a device's shadow and commands when the device is deleted (the registry's control
 * channel says so), so a device provisioned again under the same id does not inherit an old
 * desired configuration or old pending commands. Idempotent, so every API process may do it.
 */
@Injectable()
export class ForgetDeletedDevices implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscriber?: RedisClient;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly shadows: ShadowStore,
    private readonly commands: CommandStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const channel = new RegistryKeys(this.config.redis.prefix).controlChannel;
    this.subscriber = connectRedis(this.config, 'device-control-cleanup');
    this.subscriber.on('message', (from: string, message: string) => {
      const event = from === channel ? parseControlEvent(message) : undefined;
      if (event?.kind !== 'deleted') return;
      Promise.all([this.shadows.remove(event.deviceId), this.commands.removeDevice(event.deviceId)]).catch(
        (err: Error) =>
          this.logger.warn(
            { err, deviceId: event.deviceId },
            'could not delete the shadow and commands of a deleted device',
          ),
      );
    });
    await this.subscriber.subscribe(channel);
  }

  onApplicationShutdown(): void {
    this.subscriber?.disconnect();
  }
}
