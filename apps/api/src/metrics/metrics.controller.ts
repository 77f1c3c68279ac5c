import { Controller, Get, Header } from '@nestjs/common';
import { Metrics } from '@citypulse/observability';

/** Prometheus exposition of this process's metrics (scrape with the bearer token). */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4')
  expose(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
