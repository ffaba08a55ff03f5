import nock from 'nock';

// The fast tier's guard (the rule is in jest.config.js). Runs after setup-nock.ts, in fast files only.

// No real connection at all, localhost included: a vendor is faked with nock, never reached over a socket.
nock.disableNetConnect();

// The shared harness starts Redis clients, databases, the app and simulators: importing it is what makes a
// test a full-tier one, so it fails the file here with a message saying so.
const HARNESS = ['./helpers/test-app', './helpers/databases', './gateway/support'];
for (const harness of HARNESS) {
  jest.mock(harness, () => {
    throw new Error(
      `test/${harness.slice(2)} is not available in the fast tier (no Redis, database, app or simulators). ` +
        'This test belongs to the full tier: take it out of FAST_TESTS in jest.config.js or rename it from *.unit.test.ts.',
    );
  });
}
