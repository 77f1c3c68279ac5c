import type { Provider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { loadSigningCas, type SigningCa } from './device-cas.js';

/** The device CAs the API signs CSRs with (SigningCa[]): empty when CP_DEVICE_CA_KEY is unset. */
export const SIGNING_CAS = Symbol('SIGNING_CAS');

export const CERTIFICATE_PROVIDERS: Provider[] = [
  {
    provide: SIGNING_CAS,
    inject: [APP_CONFIG],
    useFactory: (config: AppConfig): Promise<SigningCa[]> => {
      const { caCerts, caKeys } = config.deviceCertificates;
      return caKeys.length === 0 ? Promise.resolve([]) : loadSigningCas(caCerts, caKeys);
    },
  },
];
