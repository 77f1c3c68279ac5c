import type { Provider } from '@nestjs/common';
import type { RedisClient } from '@citypulse/redis';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { REDIS } from '@citypulse/core';
import { DeviceCertificateStore } from '@citypulse/certificates';
import { loadSigningCas, type SigningCa } from './device-cas.js';

/** The device CAs the API signs CSRs with (SigningCa[]): empty when CP_DEVICE_CA_KEY is unset. */
export const SIGNING_CAS = Symbol('SIGNING_CAS');

export const CERTIFICATE_PROVIDERS: Provider[] = [
  {
    provide: DeviceCertificateStore,
    inject: [REDIS, APP_CONFIG],
    useFactory: (redis: RedisClient, config: AppConfig) => new DeviceCertificateStore(redis, config.redis.prefix),
  },
  {
    provide: SIGNING_CAS,
    inject: [APP_CONFIG],
    useFactory: (config: AppConfig): Promise<SigningCa[]> => {
      const { caCerts, caKeys } = config.deviceCertificates;
      return caKeys.length === 0 ? Promise.resolve([]) : loadSigningCas(caCerts, caKeys);
    },
  },
];
