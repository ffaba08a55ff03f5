import { startTestApp, type TestApp } from '../helpers/test-app';

let app: TestApp;
let key: string;

beforeAll(async () => {
  app = await startTestApp({ config: { http: { jsonBodyLimitBytes: 1024, jsonMaxDepth: 32, shutdownGraceMs: 1000 } } });
  ({ key } = await app.tenant(['customers:write', 'customers:view']));
});
afterAll(() => app?.close());

async function expectSuiteError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = await res.json();
  expect(body.error).toMatchObject({ code, status, requestId: res.headers.get('x-request-id') });
  expect(typeof body.error.message).toBe('string');
  expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+|<html|stack/i);
  return body.error;
}

describe('bad input answers in the suite error model', () => {
  it('when the body is malformed JSON, then 400 invalid_json', async () => {
    await expectSuiteError(await app.request('POST', '/v1/customers', { key, body: '{"externalRef": ' }), 400, 'invalid_json');
  });

  it('when the content type is not JSON, then 415 unsupported_media_type', async () => {
    const res = await app.request('POST', '/v1/customers', { key, body: 'externalRef=a', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    await expectSuiteError(res, 415, 'unsupported_media_type');
  });

  it('when the charset is not UTF-8, then 415 unsupported_media_type', async () => {
    const res = await app.request('POST', '/v1/customers', { key, body: '{"externalRef":"a"}', headers: { 'content-type': 'application/json; charset=latin1' } });
    await expectSuiteError(res, 415, 'unsupported_media_type');
  });

  it('when the body has an unknown field, then 400 invalid_request naming it', async () => {
    const error = await expectSuiteError(await app.request('POST', '/v1/customers', { key, body: { externalRef: 'a', kycTier: 'premium' } }), 400, 'invalid_request');
    expect(error.param).toBe('kycTier');
    expect(error.message).toContain('kycTier');
  });

  it('when a required field is missing, then 400 invalid_request with its param', async () => {
    const error = await expectSuiteError(await app.request('POST', '/v1/customers', { key, body: {} }), 400, 'invalid_request');
    expect(error.param).toBe('externalRef');
  });

  it('when the body is over the limit, then 413 payload_too_large before it is parsed', async () => {
    const error = await expectSuiteError(await app.request('POST', '/v1/customers', { key, body: { externalRef: 'x'.repeat(2000) } }), 413, 'payload_too_large');
    expect(error.message).toContain('1024');
  });

  it('when the body is not valid UTF-8, then 400 invalid_encoding', async () => {
    const bytes = Buffer.concat([Buffer.from('{"externalRef":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]);
    const res = await fetch(`${app.url}/v1/customers`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: bytes });
    await expectSuiteError(res, 400, 'invalid_encoding');
  });

  it('when the JSON is a bare scalar, then 400 invalid_json', async () => {
    await expectSuiteError(await app.request('POST', '/v1/customers', { key, body: '"just a string"' }), 400, 'invalid_json');
  });

  it('when the route does not exist, then 404 route_not_found', async () => {
    await expectSuiteError(await app.request('GET', '/v1/nothing-here', { key }), 404, 'route_not_found');
  });

  it('when the method is wrong for a known path, then 405 with Allow', async () => {
    const res = await app.request('PUT', '/v1/customers', { key, body: {} });
    await expectSuiteError(res, 405, 'method_not_allowed');
    expect(res.headers.get('allow')).toBe('POST, GET, HEAD');
  });

  it('when a query parameter is unknown, then 400 invalid_request', async () => {
    await expectSuiteError(await app.request('GET', '/v1/customers?color=red', { key }), 400, 'invalid_request');
  });

  it('when the path has a broken percent-escape, then 400 invalid_request, not a 500', async () => {
    await expectSuiteError(await app.request('GET', '/v1/customers/%ZZ', { key }), 400, 'invalid_request');
  });

  it('when a gzip body is corrupt, then a 4xx in the suite model, not a 500', async () => {
    const res = await fetch(`${app.url}/v1/customers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: Buffer.from('definitely not gzip'),
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect((await res.json()).error.requestId).toBe(res.headers.get('x-request-id'));
  });

  it('when the caller sends an X-Request-Id, then it is echoed in the header and the error', async () => {
    const res = await app.request('GET', '/v1/nothing', { key, headers: { 'x-request-id': 'trace-123' } });
    expect(res.headers.get('x-request-id')).toBe('trace-123');
    expect((await res.json()).error.requestId).toBe('trace-123');
  });
});
