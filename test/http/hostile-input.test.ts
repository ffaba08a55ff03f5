import net from 'node:net';
import { startSimulatedGateway, type Simulated } from '../gateway/support';

/**
 * Input meant to break the gateway gets an answer in the suite's model: deep nesting, NUL, HTTP the parser
 * refuses, a Content-Length far over the limit (refused before the body is read, without `100 Continue`),
 * and image URLs that point a vendor at loopback, private or metadata addresses.
 */
let gw: Simulated;
let key: string;
let customerId: string;

beforeAll(async () => {
  gw = await startSimulatedGateway();
  ({ key, customerId } = await gw.tenant(['verifications:write', 'customers:write', 'customers:view']));
});
afterAll(() => gw?.close());

async function expectSuiteError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  const body = await res.json();
  expect(body.error).toMatchObject({ code, status });
  return body.error;
}

/** Writes raw bytes and reads one answer (or until the server closes, or `ms` pass); the text, and how long it took. */
function raw(bytes: string, ms = 3000): Promise<{ text: string; tookMs: number }> {
  const url = new URL(gw.app.url);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname, () => socket.write(bytes));
    let text = '';
    const done = () => resolve({ text, tookMs: Date.now() - started });
    const timer = setTimeout(() => (socket.destroy(), done()), ms);
    socket.on('data', (c: Buffer) => {
      text += c.toString('latin1');
      // A whole final answer is in: done, whether or not the server keeps the connection.
      const final = text.replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, '');
      const head = final.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: *(\d+)/i.exec(final.slice(0, head));
      if (head >= 0 && length && final.length - head - 4 >= Number(length[1])) {
        clearTimeout(timer);
        socket.destroy();
      }
    });
    socket.on('close', () => (clearTimeout(timer), done()));
    socket.on('error', reject);
  });
}

const bodyOf = (text: string) => JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));

describe('a body where none is taken', () => {
  it('when a GET brings a 200 KB body, then it is refused unread in the suite model instead of a truncated answer', async () => {
    const { text } = await raw(
      `GET /docs/assets/swagger-ui.css HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 200000\r\n\r\n${'x'.repeat(200_000)}`,
    );
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(bodyOf(text).error).toMatchObject({ code: 'invalid_request', status: 400 });
  });

  it('when a GET comes with an empty body, then it is answered as usual', async () => {
    const { text } = await raw('GET /healthz HTTP/1.1\r\nhost: x\r\ncontent-length: 0\r\n\r\n');
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
  });
});

describe('JSON the gateway walks is bounded', () => {
  it('when a 20 KB nested array comes with an Idempotency-Key, then 400 invalid_request (not 500)', async () => {
    const body = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const res = await gw.app.request('POST', '/v1/customers', { key, body, headers: { 'idempotency-key': 'deep-1' } });
    const error = await expectSuiteError(res, 400, 'invalid_request');
    expect(error.message).toBe('invalid request: JSON nested deeper than 32 levels');
  });

  it('when a body nests objects past the limit inside a valid field, then 400 on every POST route', async () => {
    let inner: unknown = 1;
    for (let i = 0; i < 40; i++) inner = { a: inner };
    const res = await gw.app.request('POST', '/v1/verifications', { key, body: { customerId, check: 'identity_selfie', input: inner } });
    await expectSuiteError(res, 400, 'invalid_request');
  });

  it('when a string holds NUL or a lone surrogate, in the body or the path, then 400 naming where', async () => {
    const error = await expectSuiteError(
      await gw.app.request('POST', '/v1/customers', { key, body: { externalRef: 'a\u0000b' } }),
      400,
      'invalid_request',
    );
    expect(error.param).toBe('externalRef');
    const lone = await gw.app.request('POST', '/v1/customers', { key, body: '{"externalRef":"\\udd6d"}' });
    expect((await expectSuiteError(lone, 400, 'invalid_request')).param).toBe('externalRef');
    await expectSuiteError(await gw.app.request('GET', '/v1/customers/cus_%00', { key }), 400, 'invalid_request');
  });

  it('when a bad check is a megabyte-long string, then the message names its length, not its content', async () => {
    const check = 'x'.repeat(500_000);
    const res = await gw.app.request('POST', '/v1/verifications', { key, body: { customerId, check, input: {} } });
    const error = await expectSuiteError(res, 400, 'invalid_request');
    expect(error.message).toContain('a string of 500000 characters');
    expect(error.message.length).toBeLessThan(400);
  });
});

describe('HTTP the parser refuses, and oversized declarations', () => {
  it('when the request line is garbage, then 400 in the suite model with a request id', async () => {
    const { text } = await raw('GARBAGE\r\n\r\n');
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(text).toMatch(/content-type: application\/json/i);
    expect(bodyOf(text).error).toMatchObject({ code: 'invalid_request', status: 400, type: 'invalid_request_error' });
    expect(bodyOf(text).error.requestId).toMatch(/^req_/);
  });

  it('when the headers are too large, then 431 request_headers_too_large in the suite model', async () => {
    const { text } = await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(text).toMatch(/^HTTP\/1\.1 431 /);
    expect(bodyOf(text).error.code).toBe('request_headers_too_large');
  });

  it('when Content-Length declares 50 MB and only a small body follows, then 413 at once, no 100 Continue, the connection closed', async () => {
    const { text, tookMs } = await raw(
      `POST /v1/customers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 52428800\r\n\r\n{}`,
    );
    expect(text).not.toContain('100 Continue');
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    expect(text).toMatch(/connection: close/i);
    expect(bodyOf(text).error.code).toBe('payload_too_large');
    expect(tookMs).toBeLessThan(2500); // answered, not left waiting for 50 MB (the helper gives up at 3 s)
  });

  it('when a request with Expect: 100-continue fails authentication, then 401 without 100 Continue', async () => {
    const { text } = await raw(
      'POST /v1/customers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n',
    );
    expect(text).not.toContain('100 Continue');
    expect(text).toMatch(/^HTTP\/1\.1 401 /);
  });

  it('when an org without the dukcapil capability declares a body it never sends, then 403 at once: the capability comes before the body', async () => {
    const { text, tookMs } = await raw(
      `POST /v1/nik/dukcapil HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n`,
    );
    expect(text).toMatch(/^HTTP\/1\.1 403 /);
    expect(bodyOf(text).error.code).toBe('org_capability_disabled');
    expect(tookMs).toBeLessThan(2500);
  });

  it('when a valid request says Expect: 100-continue, then it gets 100 Continue and its answer', async () => {
    const res = await new Promise<string>((resolve, reject) => {
      const url = new URL(gw.app.url);
      const body = '{"externalRef":"continue-1"}';
      const socket = net.connect(Number(url.port), url.hostname, () =>
        socket.write(
          `POST /v1/customers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
        ),
      );
      let text = '';
      socket.on('data', (c: Buffer) => {
        text += c.toString('latin1');
        if (text.startsWith('HTTP/1.1 100 Continue\r\n\r\n') && !text.includes('201')) socket.write(body);
      });
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(res).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 201 /);
  });
});

describe('image URLs a vendor would download', () => {
  const lapisDocument = (url: string) => ({ customerId, check: 'document', provider: 'lapis', input: { front: { url } } });

  it.each([
    ['loopback', 'https://127.0.0.1/ktp.jpg'],
    ['a name for loopback', 'https://localhost/ktp.jpg'],
    ['cloud metadata (link-local)', 'https://169.254.169.254/latest/meta-data/'],
    ['a private network', 'https://10.1.2.3/ktp.jpg'],
    ['IPv6 loopback', 'https://[::1]/ktp.jpg'],
    ['IPv4-mapped loopback', 'https://[::ffff:127.0.0.1]/ktp.jpg'],
    ['plain http', 'http://files.example.com/ktp.jpg'],
  ])('when the URL names %s, then 400 url_not_allowed naming the field, and Lapis is never called', async (_what, url) => {
    const before = gw.sims.lapis.billing().totalCalls;
    const res = await gw.app.request('POST', '/v1/verifications', { key, body: lapisDocument(url) });
    const error = await expectSuiteError(res, 400, 'url_not_allowed');
    expect(error.param).toBe('input.front.url');
    expect(gw.sims.lapis.billing().totalCalls).toBe(before);
  });

  it('when the URL is https on a public name (sandbox key, simulator), then the verification runs', async () => {
    const res = await gw.app.request('POST', '/v1/verifications', { key, body: lapisDocument('https://files.example.com/ktp.jpg') });
    expect(res.status).toBe(200);
  });
});
