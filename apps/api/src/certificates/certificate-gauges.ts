import { Inject, Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { LOGGER } from '@citypulse/core';
import { DeviceCertificateStore } from '@citypulse/certificates';
import { Metrics, type Logger } from '@citypulse/observability';
import { timeBound } from '../common/time-bound.js';

/** The window of the gauge: what an operator should renew this month. */
export const EXPIRING_WINDOW_DAYS = 30;
const COLLECT_MS = 1000;

/**
 * `citypulse_device_certificates_expiring{city}`: live device certificates expiring within 30
 * days, per city, read from Redis when /metrics is scraped (like metrics/cluster-gauges.ts: a read
 * that fails or hangs leaves the family out of that scrape rather than showing a stale figure).
 */
@Injectable()
export class CertificateGauges {
  constructor(metrics: Metrics, store: DeviceCertificateStore, @Inject(LOGGER) logger: Logger) {
    const log = logger.child({ component: 'metrics' });
    const expiring: Gauge = new Gauge({
      name: 'citypulse_device_certificates_expiring',
      help: `Device certificates (not revoked) expiring within ${EXPIRING_WINDOW_DAYS} days, per city`,
      labelNames: ['city'],
      registers: [metrics.registry],
      collect: async () => {
        try {
          const counts = await timeBound(
            store.countExpiring(EXPIRING_WINDOW_DAYS * 86_400_000),
            COLLECT_MS,
            'reading expiring certificates for /metrics',
          );
          expiring.reset();
          for (const [city, count] of counts) expiring.set({ city }, count);
        } catch (err) {
          expiring.reset();
          log.warn(
            { err, gauge: 'device_certificates_expiring' },
            'a scrape-time metric could not be read; left out of this scrape',
          );
        }
      },
    });
  }
}
