// Jest runs TypeScript as native ES modules (aedes 1.x and Nest 12 ship ESM only),
// hence `node --experimental-vm-modules` in the npm scripts.
const LIBS =
  'devices|config|contracts|registry|storage|handoff|rules|observability|testing|core|rejections|alert-store|' +
  'alert-config|shadow|commands|redis|certificates|jobs|firmware|indicators|random|sse';
const aliases = {
  // The device-side client lives with the firmware docs and examples, outside libs/.
  '^@citypulse/device-client$': '<rootDir>/devices/src/index.ts',
  [`^@citypulse/(${LIBS})$`]: '<rootDir>/libs/$1/src/index.ts',
  // ESM sources import siblings as `./x.js`; jest resolves the `.ts` file.
  '^(\\.{1,2}/.*)\\.js$': '$1',
};

const transform = {
  '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: false }],
};

const common = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: aliases,
  transform,
  testEnvironment: '<rootDir>/scripts/jest/environment.js',
};

/** @type {import('jest').Config} */
export default {
  // Integration tests wait on real servers; a hung one still fails, just not at 5 s.
  testTimeout: 60000,
  // Longest files first, from jest's cache or, on a fresh clone, from scripts/jest/durations.json.
  testSequencer: '<rootDir>/scripts/jest/sequencer.js',
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/**/*.spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/dist/'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/**/*.int-test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/dist/'],
    },
  ],
};
