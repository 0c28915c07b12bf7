/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  // The fault suite runs on its own: `npm run test:chaos` (jest.chaos.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/tests/chaos/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  globalSetup: '<rootDir>/tests/support/global-setup.ts',
  globalTeardown: '<rootDir>/tests/support/global-teardown.ts',
  testTimeout: 30000,
  // Two cores here; more workers only contend for PostgreSQL.
  maxWorkers: 2,
};
