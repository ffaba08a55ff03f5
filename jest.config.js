/**
 * Jest runs TypeScript through SWC (no type-checking here: `npm test` runs `tsc --noEmit` first).
 *
 * Two tiers, as jest projects; `npm test` runs both, `npm run test:fast` only `fast` (`--selectProjects fast`).
 *
 * THE TIER RULE (the one place it is written down): a test file belongs to the fast tier when it runs
 * entirely in this process against nothing but code and files: no Redis, no database (PGlite included),
 * no app or simulator listening on a socket (vendors are faked with nock), no child processes or worker
 * threads, no face models. Name such a test `*.unit.test.ts` and it lands in the fast tier by itself; the
 * other fast files are listed below by path because they predate the convention. Everything else under
 * test/ is the `full` tier. The fast tier enforces the rule (test/setup-fast.ts): the app/database harness
 * cannot be imported there and nock refuses every real connection, localhost included, so a file that
 * needs more fails at once instead of passing by accident on a machine with Redis.
 */
const path = require('node:path');

const FAST_TESTS = [
  '**/*.unit.test.ts',
  // Pure rules and loaders.
  'config/config.test.ts',
  'errors/catalog.test.ts',
  'http/csv.test.ts',
  'gateway/inhouse-routing.test.ts',
  // The mapping table, and the adapters against nock (each vendor's simulator tests need sockets: full tier).
  'adapters/mapping-table.test.ts',
  'adapters/*/mapping.test.ts',
  'adapters/*/adapter*.test.ts',
  'adapters/idenfy/webhook.test.ts',
  'gateway/provider-paths.test.ts',
].map((glob) => path.join(__dirname, 'test', glob));

const shared = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] },
  setupFiles: ['<rootDir>/test/setup-env.ts'],
};

module.exports = {
  projects: [
    {
      ...shared,
      displayName: 'fast',
      testMatch: FAST_TESTS,
      setupFilesAfterEnv: ['<rootDir>/test/setup-nock.ts', '<rootDir>/test/setup-fast.ts'],
    },
    {
      ...shared,
      displayName: 'full',
      // Every test file that is not in the fast tier.
      testMatch: [path.join(__dirname, 'test/**/*.test.ts'), ...FAST_TESTS.map((glob) => `!${glob}`)],
      setupFilesAfterEnv: ['<rootDir>/test/setup-nock.ts'],
    },
  ],
  testTimeout: 20000,
  // Always exit once every suite has reported. A suite whose beforeAll failed half-way can leave a handle
  // open (a Redis client retrying, a server still listening); on a 2-core machine (CI) jest runs in band,
  // in this one process, so a single such handle would keep `npm test` from ever exiting after the last
  // result. Hooks and tests are already bounded by testTimeout; this bounds the end. Look for leaks with
  // `npx jest --detectOpenHandles <file>`.
  forceExit: true,
};
