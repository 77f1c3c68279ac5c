// The fault suite (`npm run test:faults`): `*.fault-test.ts`, with the integration project's
// settings, outside the quick `npm test` run. Each test kills and restarts real processes and
// servers for a minute or so; they run one after another (--runInBand in the npm script).
import base from './jest.config.js';

const integration = base.projects.find((project) => project.displayName === 'integration');

/** @type {import('jest').Config} */
export default {
  testTimeout: 300000,
  projects: [{ ...integration, displayName: 'faults', testMatch: ['<rootDir>/**/*.fault-test.ts'] }],
};
