import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS } from '@citypulse/core';
import { Public } from '../auth/public.decorator.js';
import { InfluxQueryClient } from '@citypulse/storage';

/** Readiness: Redis and InfluxDB answer. Liveness: the process answers. */
@Controller('health')
@Public()
export class HealthController {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly influx: InfluxQueryClient,
  ) {}

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Get()
  async ready() {
    const checks = await Promise.allSettled([this.redis.ping(), this.influx.ping()]);
    const [redis, influx] = checks.map((c) => (c.status === 'fulfilled' ? 'up' : 'down'));
    const body = { status: redis === 'up' && influx === 'up' ? 'ok' : 'error', redis, influx };
    if (body.status !== 'ok') throw new ServiceUnavailableException(body);
    return body;
  }
}
