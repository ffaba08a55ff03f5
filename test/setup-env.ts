// Tests never reach the internet; a test that needs a vendor uses nock or a local simulator.
process.env.NODE_ENV = 'test';
process.env.LOG_LEVEL ??= 'silent';

import nock from 'nock';
nock.disableNetConnect();
nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
