/**
 * The fault suite (`npm run test:chaos`, issue 13): tests/chaos only, one file after another. It starts
 * its own PostgreSQL and Redis (never the run's shared servers), so no global setup; `npm test`'s
 * configuration leaves tests/chaos out.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests/chaos'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testTimeout: 120000,
  maxWorkers: 1,
  // The service and servers are stopped by PID in afterAll; a socket of a killed service's request may linger.
  forceExit: true,
};
