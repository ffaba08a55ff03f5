import nock from 'nock';

// nock patches Node's http module, which every test file of a jest worker shares: each file switches
// it on for itself and off again when done, so one file's interceptors never answer another's requests.
if (!nock.isActive()) nock.activate();
nock.disableNetConnect();
nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);

afterAll(() => {
  nock.cleanAll();
  nock.enableNetConnect();
  nock.restore();
});
