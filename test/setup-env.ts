// Tests never reach the internet; a test that needs a vendor uses nock or a local simulator.
process.env.NODE_ENV = 'test';
process.env.LOG_LEVEL ??= 'silent';
