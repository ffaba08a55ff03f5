import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generateSdkTypes, type OpenApiDocument } from '../../sdk/scripts/generate-types';
import { AuthenticationError, InvalidRequestError, RateLimitError, signCaptureBundle, Verigate, type IssuedKey } from '../../sdk/src';
import { bundleSignature } from '../../src/engine/bundle-signature';
import { startTestApp, testConfig, type TestApp } from '../helpers/test-app';

let app: TestApp;
beforeAll(async () => {
  const base = testConfig().rateLimits;
  app = await startTestApp({ config: { rateLimits: { ...base, 'keys.create': { limit: 1, windowSeconds: 60 } } } });
});
afterAll(() => app?.close());

const client = (apiKey: string, extra: Partial<ConstructorParameters<typeof Verigate>[0]> = {}) =>
  new Verigate({ apiKey, baseUrl: app.url, ...extra });

describe('the SDK against the API', () => {
  it('when the API document changes, then the generated types are regenerated: sdk/src/generated/api.ts matches /openapi.json', async () => {
    const doc = (await (await app.request('GET', '/openapi.json')).json()) as OpenApiDocument;
    const committed = readFileSync(path.join(__dirname, '..', '..', 'sdk', 'src', 'generated', 'api.ts'), 'utf8');
    // Run `npm run generate -w sdk -- <url>/openapi.json` against a running API when this fails.
    expect(generateSdkTypes(doc)).toBe(committed);
  });

  it("when a capture bundle is signed by the SDK (WebCrypto), then it is the server's signature", async () => {
    const bundle = {
      customerId: 'cus_1',
      kind: 'ktp',
      flashChallengeNonce: 'n',
      timestamp: '2026-01-05T08:00:00.000Z',
      frames: ['AAAA', 'é✓'],
      nik: '32',
      sex: 'male',
    };
    for (const hmacKey of ['ab'.repeat(32), 'k', '0123456789abcdef'.repeat(4)]) {
      expect(await signCaptureBundle(bundle, hmacKey)).toBe(bundleSignature(bundle, hmacKey));
    }
  });

  it('when the answer to a POST is lost, then the retry sends the same Idempotency-Key and the customer is created once', async () => {
    const t = await app.tenant(['customers:write', 'customers:view']);
    const keys: string[] = [];
    let lost = 0;
    const flaky: typeof fetch = async (input, init) => {
      keys.push(new Headers(init?.headers).get('idempotency-key') ?? '');
      const res = await fetch(input, init);
      // The first answer arrives and is dropped on the way back, as a cut connection would.
      if (lost++ === 0) throw new TypeError('fetch failed: socket hang up');
      return res;
    };
    const created = await client(t.key, { fetch: flaky }).customers.create({ externalRef: 'lost-answer' });
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^sdk_/);
    expect(keys[1]).toBe(keys[0]);
    const all = await client(t.key).customers.list();
    expect(all.data.map((c) => c.id)).toEqual([created.id]);
  });

  it('when a list spans pages, then all() walks every page in order', async () => {
    const t = await app.tenant(['customers:write', 'customers:view']);
    const vg = client(t.key);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await vg.customers.create({ externalRef: `page-${i}` })).id);
    const seen: string[] = [];
    for await (const customer of vg.customers.all({ limit: 2 })) seen.push(customer.id);
    expect(seen.sort()).toEqual(ids.sort());
    expect(new Set(seen).size).toBe(5);
  });

  it('when the API refuses, then the error is typed with its code, param, status and Retry-After', async () => {
    const t = await app.tenant(['customers:view', 'keys:write']);
    const vg = client(t.key, { maxRetryAfterSeconds: 0 });
    await expect(vg.customers.create({ externalRef: 'x' })).rejects.toMatchObject({
      constructor: AuthenticationError,
      code: 'missing_scope',
      status: 401,
    });
    const writer = client((await app.tenant(['customers:write'])).key);
    await expect(writer.call('createCustomer', { body: { externalRef: 'x', extra: 1 } as never })).rejects.toMatchObject({
      constructor: InvalidRequestError,
      code: 'invalid_request',
      param: 'extra',
    });
    const issued = (await vg.keys.create({ name: 'first', scopes: ['customers:view'] })) as IssuedKey;
    expect(issued.key).toMatch(/^vk_test_/);
    const limited = vg.keys.create({ name: 'second', scopes: ['customers:view'] });
    await expect(limited).rejects.toBeInstanceOf(RateLimitError);
    await expect(limited).rejects.toMatchObject({ code: 'rate_limited', status: 429, retryAfterSeconds: expect.any(Number) });
    await expect(client('vk_test_' + 'x'.repeat(44)).customers.list()).rejects.toMatchObject({ code: 'api_key_invalid' });
  });
});
