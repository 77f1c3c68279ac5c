import { Controller, Get, Inject, ServiceUnavailableException, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { RedisClient } from '@citypulse/redis';
import { LOCAL_BROKER, REDIS, type LocalBroker } from '@citypulse/core';
import { PresenceStore } from '@citypulse/registry';
import { InfluxQueryClient } from '@citypulse/storage';
import { Public } from '../auth/public.decorator.js';
import { timeBound } from '../common/time-bound.js';
import { brokerStatus } from './broker-status.js';

/** Each check gets this long: orchestrators' probes time out after a few seconds. */
const CHECK_MS = 2000;

type Status = 'up' | 'down';

/** Readiness: RedisClient, InfluxDB and an MQTT broker answer. Liveness: the process answers. */
@Controller('health')
@Public()
export class HealthController implements OnModuleInit {
  private localBroker?: LocalBroker;

  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly presence: PresenceStore,
    private readonly influx: InfluxQueryClient,
    private readonly modules: ModuleRef,
  ) {}

  onModuleInit(): void {
    // Present only when the broker runs in this process (all-in-one); the api alone has none.
    try {
      this.localBroker = this.modules.get<LocalBroker>(LOCAL_BROKER, { strict: false });
    } catch {
      this.localBroker = undefined;
    }
  }

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Get()
  async ready() {
    const [redis, influx, broker] = await Promise.all([
      check(this.redis.ping(), 'redis'),
      check(this.influx.ping(), 'influx'),
      check(brokerStatus(this.localBroker, this.presence), 'broker'),
    ]);
    const checks = { redis, influx, broker };
    const down = Object.entries(checks)
      .filter(([, status]) => status !== 'up')
      .map(([name]) => name);
    if (down.length > 0)
      throw new ServiceUnavailableException({
        message: `not ready: ${down.join(', ')} down`,
        status: 'error',
        ...checks,
        down,
      });
    return { status: 'ok', ...checks };
  }
}

async function check(probe: Promise<unknown>, what: string): Promise<Status> {
  try {
    const result = await timeBound(probe, CHECK_MS, what);
    return result === 'down' ? 'down' : 'up';
  } catch {
    return 'down';
  }
}
