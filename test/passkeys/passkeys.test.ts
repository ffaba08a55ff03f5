import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ACCUAUTH_SANDBOX } from '../../adapters/accuauth/simulator';
import { createLogger } from '../../src/logger';
import { loadPasskeysConfig } from '../../src/passkeys/passkeys-config';
import type { Scope } from '../../src/tenancy/scopes';
import { startSimulatedGateway, type Simulated } from '../gateway/support';
import { SoftAuthenticator, type CreationOptions, type RequestOptions } from '../helpers/soft-authenticator';

// config/passkeys.json: the RP the tests' "browser" talks to.
const ORIGIN = 'http://localhost:8080';
const RP_ID = 'localhost';
const FIVE_MINUTES = 5 * 60_000;

const ALL: Scope[] = ['customers:write', 'verifications:write', 'kyc:write', 'passkeys:write', 'passkeys:view', 'passkeys:authenticate'];

let gw: Simulated;
// Every log line of the gateway, to check what passkey flows write there.
const logLines: string[] = [];
beforeAll(async () => {
  gw = await startSimulatedGateway({}, { logger: createLogger('info', { write: (line: string) => void logLines.push(line) }) });
});
afterAll(() => gw?.close());

type Json = Record<string, any>;

async function call(method: string, url: string, key: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const res = await gw.app.request(method, url, { key, body });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
}

const base = (customerId: string) => `/v1/customers/${customerId}/passkeys`;

/** A tenant with one customer; `kyc: true` runs a sandbox name_check the AccuAuth simulator passes. */
async function customer(options: { scopes?: Scope[]; kyc?: boolean } = {}) {
  const t = await gw.tenant(options.scopes ?? ALL);
  if (options.kyc ?? true) await passKyc(t.key, t.customerId);
  return t;
}

async function passKyc(key: string, customerId: string) {
  const { status, body } = await call('POST', '/v1/verifications', key, {
    customerId,
    check: 'name_check',
    input: { idNumber: ACCUAUTH_SANDBOX.plain, name: 'Budi Santoso' },
  });
  expect(status).toBe(200);
  expect(body).toMatchObject({ status: 'passed', provider: 'accuauth' });
}

async function registrationOptions(key: string, customerId: string): Promise<CreationOptions & Json> {
  const { status, body } = await call('POST', `${base(customerId)}/registration/options`, key, {});
  expect(status).toBe(201);
  return body.publicKey;
}

async function authenticationOptions(key: string, customerId: string): Promise<RequestOptions & Json> {
  const { status, body } = await call('POST', `${base(customerId)}/authentication/options`, key);
  expect(status).toBe(201);
  return body.publicKey;
}

/** A customer who passed KYC, with one registered software passkey. */
async function enrolled(counterStep = 1) {
  const t = await customer();
  const authenticator = SoftAuthenticator.create({ origin: ORIGIN, counterStep });
  const reg = await call('POST', `${base(t.customerId)}/registration`, t.key, {
    response: authenticator.createCredential(await registrationOptions(t.key, t.customerId)),
  });
  expect(reg.status).toBe(201);
  return { ...t, authenticator, passkeyId: reg.body.id as string };
}

const authenticate = (key: string, customerId: string, response: unknown) =>
  call('POST', `${base(customerId)}/authentication`, key, { response });

describe('passkey ceremonies', () => {
  it('when a customer who passed KYC registers a software passkey and signs in twice, then both ceremonies pass and the counter moves forward', async () => {
    const t = await customer();
    const before = gw.app.deps.now().getTime();
    const opts = await call('POST', `${base(t.customerId)}/registration/options`, t.key, { userName: 'budi@example.com' });
    expect(opts.status).toBe(201);
    const publicKey = opts.body.publicKey;
    expect(opts.body).toMatchObject({ object: 'passkey_registration_options', customerId: t.customerId });
    expect(publicKey).toMatchObject({
      rp: { id: RP_ID, name: 'verigate' },
      user: { id: Buffer.from(t.customerId).toString('base64url'), name: 'budi@example.com', displayName: 'budi@example.com' },
      timeout: FIVE_MINUTES,
      attestation: 'none',
      excludeCredentials: [],
      authenticatorSelection: { userVerification: 'required' },
    });
    expect(Buffer.from(publicKey.challenge, 'base64url')).toHaveLength(32);
    const expiresAt = Date.parse(opts.body.expiresAt);
    expect(expiresAt - before).toBeGreaterThanOrEqual(FIVE_MINUTES);
    expect(expiresAt - before).toBeLessThan(FIVE_MINUTES + 5_000);

    const authenticator = SoftAuthenticator.create({ origin: ORIGIN });
    const reg = await call('POST', `${base(t.customerId)}/registration`, t.key, {
      response: authenticator.createCredential(publicKey),
      name: "Budi's phone",
    });
    expect(reg.status).toBe(201);
    expect(reg.body).toMatchObject({
      object: 'passkey',
      customerId: t.customerId,
      credentialId: authenticator.credentialId,
      name: "Budi's phone",
      transports: ['internal'],
      deviceType: 'singleDevice',
      backedUp: false,
      aaguid: '00000000-0000-0000-0000-000000000000',
      counter: 0,
      lastUsedAt: null,
      cloneDetectedAt: null,
    });
    expect(reg.body.id).toMatch(/^pk_\w{20}$/);
    expect(JSON.stringify(reg.body)).not.toMatch(/publicKey/i);

    const list = await call('GET', base(t.customerId), t.key);
    expect(list).toMatchObject({ status: 200, body: { object: 'list', data: [{ id: reg.body.id }], hasMore: false } });

    const request = await call('POST', `${base(t.customerId)}/authentication/options`, t.key);
    expect(request.status).toBe(201);
    expect(request.body.publicKey).toMatchObject({
      rpId: RP_ID,
      timeout: FIVE_MINUTES,
      userVerification: 'required',
      allowCredentials: [{ id: authenticator.credentialId, type: 'public-key', transports: ['internal'] }],
    });
    expect(Buffer.from(request.body.publicKey.challenge, 'base64url')).toHaveLength(32);

    const first = await authenticate(t.key, t.customerId, authenticator.getAssertion(request.body.publicKey));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      object: 'passkey_authentication',
      verified: true,
      customerId: t.customerId,
      passkeyId: reg.body.id,
      userVerified: true,
      passkey: { counter: 1 },
    });
    expect(first.body.passkey.lastUsedAt).toBe(first.body.authenticatedAt);

    const second = await authenticate(t.key, t.customerId, authenticator.getAssertion(await authenticationOptions(t.key, t.customerId)));
    expect(second).toMatchObject({ status: 200, body: { verified: true, passkey: { counter: 2 } } });

    // A second passkey is offered the first as excluded, so the same authenticator is not enrolled twice.
    const again = await registrationOptions(t.key, t.customerId);
    expect(again.excludeCredentials).toEqual([{ id: authenticator.credentialId, type: 'public-key', transports: ['internal'] }]);
    expect(() => authenticator.createCredential(again)).toThrow(/excluded/);
  });

  it('when a passkey is deleted, then it is gone from the list and can no longer start or finish a sign-in', async () => {
    const t = await enrolled();
    const pending = await authenticationOptions(t.key, t.customerId);
    const removed = await call('DELETE', `${base(t.customerId)}/${t.passkeyId}`, t.key);
    expect(removed).toMatchObject({ status: 200, body: { id: t.passkeyId, object: 'passkey', deleted: true } });
    expect((await call('GET', base(t.customerId), t.key)).body.data).toEqual([]);

    const late = await authenticate(t.key, t.customerId, t.authenticator.getAssertion(pending));
    expect(late.status).toBe(401);
    expect(late.body.error).toMatchObject({
      code: 'passkey_verification_failed',
      message: 'passkey verification failed: credential not registered for this customer',
    });
    const options = await call('POST', `${base(t.customerId)}/authentication/options`, t.key);
    expect(options.status).toBe(409);
    expect(options.body.error.code).toBe('passkey_none_registered');
    expect((await call('DELETE', `${base(t.customerId)}/${t.passkeyId}`, t.key)).status).toBe(404);
  });

  it('when an authenticator without a counter (always 0, like a synced passkey) signs in repeatedly, then each sign-in passes', async () => {
    const t = await enrolled(0);
    for (let i = 0; i < 2; i += 1) {
      const res = await authenticate(t.key, t.customerId, t.authenticator.getAssertion(await authenticationOptions(t.key, t.customerId)));
      expect(res).toMatchObject({ status: 200, body: { verified: true, passkey: { counter: 0 } } });
    }
  });

  it('when the same credential is registered again under a fresh challenge, then 409 passkey_already_registered', async () => {
    const t = await enrolled();
    const { excludeCredentials: _ignored, ...options } = await registrationOptions(t.key, t.customerId);
    const res = await call('POST', `${base(t.customerId)}/registration`, t.key, { response: t.authenticator.createCredential(options) });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('passkey_already_registered');
    expect((await call('GET', base(t.customerId), t.key)).body.data).toHaveLength(1);
  });
});

describe('challenges: 32 random bytes, single use, 5 minutes on the server clock', () => {
  it('when a registration challenge is answered after 5 minutes, then 401 webauthn challenge expired, while one answered within them passes', async () => {
    const t = await customer();
    const early = await registrationOptions(t.key, t.customerId);
    gw.app.advance(FIVE_MINUTES - 1_000);
    const inTime = await call('POST', `${base(t.customerId)}/registration`, t.key, {
      response: SoftAuthenticator.create({ origin: ORIGIN }).createCredential(early),
    });
    expect(inTime.status).toBe(201);

    const late = await registrationOptions(t.key, t.customerId);
    gw.app.advance(FIVE_MINUTES + 1_000);
    const res = await call('POST', `${base(t.customerId)}/registration`, t.key, {
      response: SoftAuthenticator.create({ origin: ORIGIN }).createCredential(late),
    });
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({
      code: 'webauthn_challenge_expired',
      message: 'webauthn challenge expired',
      type: 'authentication_error',
      status: 401,
    });
    expect((await call('GET', base(t.customerId), t.key)).body.data).toHaveLength(1);
  });

  it('when an authentication challenge is answered after 5 minutes, then 401 webauthn challenge expired and the counter is untouched', async () => {
    const t = await enrolled();
    const options = await authenticationOptions(t.key, t.customerId);
    gw.app.advance(FIVE_MINUTES + 1);
    const res = await authenticate(t.key, t.customerId, t.authenticator.getAssertion(options));
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: 'webauthn_challenge_expired', message: 'webauthn challenge expired' });
    expect((await call('GET', base(t.customerId), t.key)).body.data[0]).toMatchObject({ counter: 0, lastUsedAt: null });
  });

  it('when a registration response is sent twice, then the second gets 401 webauthn_challenge_invalid (not a duplicate credential)', async () => {
    const t = await customer();
    const response = SoftAuthenticator.create({ origin: ORIGIN }).createCredential(await registrationOptions(t.key, t.customerId));
    expect((await call('POST', `${base(t.customerId)}/registration`, t.key, { response })).status).toBe(201);
    const replay = await call('POST', `${base(t.customerId)}/registration`, t.key, { response });
    expect(replay.status).toBe(401);
    expect(replay.body.error).toMatchObject({ code: 'webauthn_challenge_invalid', message: 'webauthn challenge unknown or already used' });
  });

  it('when a signed assertion is replayed, then 401 webauthn_challenge_invalid and the counter stays where the first left it', async () => {
    const t = await enrolled();
    const assertion = t.authenticator.getAssertion(await authenticationOptions(t.key, t.customerId));
    expect((await authenticate(t.key, t.customerId, assertion)).status).toBe(200);
    const replay = await authenticate(t.key, t.customerId, assertion);
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('webauthn_challenge_invalid');
    expect((await call('GET', base(t.customerId), t.key)).body.data[0].counter).toBe(1);
  });

  it('when five signed assertions race for one challenge, then exactly one wins and four get webauthn_challenge_invalid', async () => {
    const t = await enrolled();
    const options = await authenticationOptions(t.key, t.customerId);
    const assertions = Array.from({ length: 5 }, () => t.authenticator.getAssertion(options)); // counters 1..5, all valid
    const results = await Promise.all(assertions.map((a) => authenticate(t.key, t.customerId, a)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 401 && r.body.error.code === 'webauthn_challenge_invalid')).toHaveLength(4);
  });

  it('when a response carries a challenge never issued, one issued to another customer, or one issued for the other ceremony, then 401 webauthn_challenge_invalid', async () => {
    const t = await enrolled();
    const other = await customer();
    const authenticator = SoftAuthenticator.create({ origin: ORIGIN });

    const neverIssued = await registrationOptions(t.key, t.customerId);
    const forged = await call('POST', `${base(t.customerId)}/registration`, t.key, {
      response: authenticator.createCredential(neverIssued, { challenge: Buffer.alloc(32, 7).toString('base64url') }),
    });
    expect(forged.body.error?.code).toBe('webauthn_challenge_invalid');

    const othersChallenge = await call('POST', `${base(other.customerId)}/registration/options`, other.key, {});
    const crossCustomer = await call('POST', `${base(t.customerId)}/registration`, t.key, {
      response: authenticator.createCredential(neverIssued, { challenge: othersChallenge.body.publicKey.challenge }),
    });
    expect(crossCustomer.body.error?.code).toBe('webauthn_challenge_invalid');

    const registrationChallenge = await registrationOptions(t.key, t.customerId);
    const crossCeremony = await authenticate(
      t.key,
      t.customerId,
      t.authenticator.getAssertion(await authenticationOptions(t.key, t.customerId), { challenge: registrationChallenge.challenge }),
    );
    expect(crossCeremony.status).toBe(401);
    expect(crossCeremony.body.error.code).toBe('webauthn_challenge_invalid');
  });

  it('when clientDataJSON is not base64url JSON with a challenge, then 400 invalid_request naming it', async () => {
    const t = await customer();
    const response = SoftAuthenticator.create({ origin: ORIGIN }).createCredential(await registrationOptions(t.key, t.customerId));
    response.response.clientDataJSON = Buffer.from('not json').toString('base64url');
    const res = await call('POST', `${base(t.customerId)}/registration`, t.key, { response });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_request', param: 'response.response.clientDataJSON' });
  });
});

describe('what the server refuses', () => {
  it.each([
    ['an origin outside the allowed list', { origin: 'https://evil.example' }, /origin "https:\/\/evil\.example"/],
    ['another RP id', { rpId: 'evil.example' }, /RP ID/],
    ['the authentication type', { type: 'webauthn.get' }, /type/],
    ['no user verification', { userVerified: false }, /verif/i],
  ])('when a registration comes with %s, then 401 passkey_verification_failed and nothing is stored', async (_, overrides, reason) => {
    const t = await customer();
    const options = await registrationOptions(t.key, t.customerId);
    const res = await call('POST', `${base(t.customerId)}/registration`, t.key, {
      response: SoftAuthenticator.create({ origin: ORIGIN }).createCredential(options, overrides),
    });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('passkey_verification_failed');
    expect(res.body.error.message).toMatch(reason);
    expect((await call('GET', base(t.customerId), t.key)).body.data).toEqual([]);
    // The failed attempt spent the challenge: a corrected response cannot reuse it.
    const retry = await call('POST', `${base(t.customerId)}/registration`, t.key, {
      response: SoftAuthenticator.create({ origin: ORIGIN }).createCredential(options),
    });
    expect(retry.body.error?.code).toBe('webauthn_challenge_invalid');
  });

  it.each([
    ['an origin outside the allowed list', { origin: 'https://evil.example' }, /origin "https:\/\/evil\.example"/],
    ['another RP id', { rpId: 'evil.example' }, /RP ID/],
    ['no user verification', { userVerified: false }, /verif/i],
  ])('when an assertion comes with %s, then 401 passkey_verification_failed and the counter is untouched', async (_, overrides, reason) => {
    const t = await enrolled();
    const res = await authenticate(
      t.key,
      t.customerId,
      t.authenticator.getAssertion(await authenticationOptions(t.key, t.customerId), overrides),
    );
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('passkey_verification_failed');
    expect(res.body.error.message).toMatch(reason);
    expect((await call('GET', base(t.customerId), t.key)).body.data[0]).toMatchObject({ counter: 0, lastUsedAt: null });
  });

  it('when an assertion is signed by another key under the registered credential id, then 401 passkey_verification_failed', async () => {
    const t = await enrolled();
    const impostor = SoftAuthenticator.create({ origin: ORIGIN });
    const assertion = impostor.getAssertion({ ...(await authenticationOptions(t.key, t.customerId)), allowCredentials: [] });
    const forged = { ...assertion, id: t.authenticator.credentialId, rawId: t.authenticator.credentialId };
    const res = await authenticate(t.key, t.customerId, forged);
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({
      code: 'passkey_verification_failed',
      message: 'passkey verification failed: signature invalid',
    });
  });

  it("when another customer's passkey answers this customer's challenge, then 401 passkey_verification_failed", async () => {
    const a = await enrolled();
    // Customer b of the same org, with a passkey of its own so it can start a sign-in.
    const created = await call('POST', '/v1/customers', a.key, { externalRef: 'second-customer' });
    const b = created.body.id as string;
    await passKyc(a.key, b);
    const regB = await call('POST', `${base(b)}/registration`, a.key, {
      response: SoftAuthenticator.create({ origin: ORIGIN }).createCredential(await registrationOptions(a.key, b)),
    });
    expect(regB.status).toBe(201);
    const options = await authenticationOptions(a.key, b);
    const res = await authenticate(a.key, b, a.authenticator.getAssertion({ ...options, allowCredentials: [] }));
    expect(res.status).toBe(401);
    expect(res.body.error.message).toBe('passkey verification failed: credential not registered for this customer');
  });

  it('when a cloned authenticator signs with a counter that does not increase, then 401 passkey_counter_regressed, recorded on the passkey, and the original still signs in', async () => {
    const t = await enrolled();
    expect(
      (await authenticate(t.key, t.customerId, t.authenticator.getAssertion(await authenticationOptions(t.key, t.customerId)))).status,
    ).toBe(200);
    const clone = t.authenticator.clone(); // counter 1, like the original
    expect(
      (await authenticate(t.key, t.customerId, t.authenticator.getAssertion(await authenticationOptions(t.key, t.customerId)))).status,
    ).toBe(200); // stored counter 2

    const cloned = await authenticate(t.key, t.customerId, clone.getAssertion(await authenticationOptions(t.key, t.customerId))); // counter 2 again
    expect(cloned.status).toBe(401);
    expect(cloned.body.error).toMatchObject({
      code: 'passkey_counter_regressed',
      message: 'passkey signature counter did not increase: possible cloned authenticator',
      passkeyId: t.passkeyId,
    });
    const [stored] = (await call('GET', base(t.customerId), t.key)).body.data;
    expect(stored.counter).toBe(2);
    expect(stored.cloneDetectedAt).not.toBeNull();

    const original = await authenticate(
      t.key,
      t.customerId,
      t.authenticator.getAssertion(await authenticationOptions(t.key, t.customerId)),
    );
    expect(original).toMatchObject({ status: 200, body: { passkey: { counter: 3 } } });
  });

  it('when a customer has not passed KYC, then registration options answer 403 passkey_kyc_required with the tier', async () => {
    const t = await customer({ kyc: false });
    const res = await call('POST', `${base(t.customerId)}/registration/options`, t.key, {});
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({
      code: 'passkey_kyc_required',
      type: 'permission_error',
      message: 'passkeys are only for customers who passed KYC (tier basic or above)',
      kycTier: 'none',
      requiredKycTier: 'basic',
    });
  });

  it('when the name check failed (registry mismatch), then the customer still may not register a passkey', async () => {
    const t = await customer({ kyc: false });
    const check = await call('POST', '/v1/verifications', t.key, {
      customerId: t.customerId,
      check: 'name_check',
      input: { idNumber: ACCUAUTH_SANDBOX.results['02'], name: 'Budi Santoso' },
    });
    expect(check.body.status).toBe('failed');
    const res = await call('POST', `${base(t.customerId)}/registration/options`, t.key, {});
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('passkey_kyc_required');
  });

  it('when an analyst lowers the tier between options and response, then the registration is refused with 403 and nothing is stored', async () => {
    const t = await customer();
    const options = await registrationOptions(t.key, t.customerId);
    const lowered = await call('POST', `/v1/customers/${t.customerId}/kyc/override`, t.key, {
      tier: 'none',
      reason: 'suspected account takeover, restricting',
    });
    expect(lowered.status).toBe(201);
    const res = await call('POST', `${base(t.customerId)}/registration`, t.key, {
      response: SoftAuthenticator.create({ origin: ORIGIN }).createCredential(options),
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('passkey_kyc_required');
    expect((await call('GET', base(t.customerId), t.key)).body.data).toEqual([]);
  });

  it("when another org's customer or passkey is named, then every passkey route answers 404", async () => {
    const owner = await enrolled();
    const stranger = await customer();
    const assertion = owner.authenticator.getAssertion(await authenticationOptions(owner.key, owner.customerId));
    const attempts: [string, string, unknown][] = [
      ['POST', `${base(owner.customerId)}/registration/options`, {}],
      [
        'POST',
        `${base(owner.customerId)}/registration`,
        {
          response: SoftAuthenticator.create({ origin: ORIGIN }).createCredential(
            await registrationOptions(stranger.key, stranger.customerId),
          ),
        },
      ],
      ['POST', `${base(owner.customerId)}/authentication/options`, undefined],
      ['POST', `${base(owner.customerId)}/authentication`, { response: assertion }],
      ['GET', base(owner.customerId), undefined],
      ['DELETE', `${base(owner.customerId)}/${owner.passkeyId}`, undefined],
      ['DELETE', `${base(stranger.customerId)}/${owner.passkeyId}`, undefined],
    ];
    for (const [method, url, body] of attempts) {
      const res = await call(method, url, stranger.key, body);
      expect([method, url, res.status]).toEqual([method, url, 404]);
      expect(res.body.error.code).toBe('resource_not_found');
    }
    // The owner's passkey is untouched and still signs in with the assertion the stranger could not use.
    expect((await authenticate(owner.key, owner.customerId, assertion)).status).toBe(200);
  });

  it.each([
    ['POST', '/registration/options', 'passkeys:write', ['passkeys:view', 'passkeys:authenticate']],
    ['POST', '/registration', 'passkeys:write', ['passkeys:view', 'passkeys:authenticate']],
    ['POST', '/authentication/options', 'passkeys:authenticate', ['passkeys:write', 'passkeys:view']],
    ['POST', '/authentication', 'passkeys:authenticate', ['passkeys:write', 'passkeys:view']],
    ['GET', '', 'passkeys:view', ['passkeys:write', 'passkeys:authenticate']],
    ['DELETE', '/pk_00000000000000000000', 'passkeys:write', ['passkeys:view', 'passkeys:authenticate']],
  ] as const)('when a key without the scope calls %s passkeys%s, then 401 missing scope: %s', async (method, suffix, scope, others) => {
    const t = await customer({ kyc: false, scopes: ['customers:write', ...others] });
    const res = await call(method, `${base(t.customerId)}${suffix}`, t.key, method === 'POST' ? {} : undefined);
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: 'missing_scope', message: `missing scope: ${scope}` });
  });

  it('when the response carries a field WebAuthn does not define, then 400 invalid_request naming it', async () => {
    const t = await customer();
    const response = SoftAuthenticator.create({ origin: ORIGIN }).createCredential(await registrationOptions(t.key, t.customerId));
    const res = await call('POST', `${base(t.customerId)}/registration`, t.key, { response: { ...response, extra: 1 } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_request', param: 'response.extra' });
  });
});

describe('logs', () => {
  it('when passkeys are registered, used and cloned, then the logs carry audit lines with ids and never key material or ceremony data', async () => {
    const from = logLines.length;
    const t = await customer();
    const authenticator = SoftAuthenticator.create({ origin: ORIGIN });
    const registration = authenticator.createCredential(await registrationOptions(t.key, t.customerId));
    const reg = await call('POST', `${base(t.customerId)}/registration`, t.key, { response: registration });
    expect(reg.status).toBe(201);
    const clone = authenticator.clone();
    const assertion = authenticator.getAssertion(await authenticationOptions(t.key, t.customerId));
    expect((await authenticate(t.key, t.customerId, assertion)).status).toBe(200);
    const cloned = clone.getAssertion(await authenticationOptions(t.key, t.customerId));
    expect((await authenticate(t.key, t.customerId, cloned)).status).toBe(401);
    expect((await call('DELETE', `${base(t.customerId)}/${reg.body.id}`, t.key)).status).toBe(200);

    const lines = logLines.slice(from).map((l) => JSON.parse(l) as Json);
    const audits = lines.filter((l) => l.audit && l.passkeyId === reg.body.id).map((l) => l.audit);
    expect(audits).toEqual(['passkey_registered', 'passkey_clone_detected', 'passkey_deleted']);
    const text = logLines.slice(from).join('\n');
    const secrets = [
      authenticator.publicKeyCose.toString('base64'),
      authenticator.publicKeyCose.toString('base64url'),
      authenticator.publicKeyCose.toString('hex'),
      registration.response.attestationObject,
      registration.response.clientDataJSON,
      assertion.response.signature,
      cloned.response.signature,
    ];
    for (const secret of secrets) expect(text).not.toContain(secret);
  });
});

describe('relying party configuration', () => {
  const dirWith = (settings: object) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'passkeys-config-'));
    writeFileSync(path.join(dir, 'passkeys.json'), JSON.stringify(settings));
    return dir;
  };
  const valid = {
    rpId: 'example.com',
    rpName: 'Example',
    origins: ['https://example.com', 'https://app.example.com'],
    userVerification: 'required',
  };

  it('when nothing overrides it, then config/passkeys.json gives localhost with the local API origin', () => {
    expect(loadPasskeysConfig({})).toEqual({ rpId: RP_ID, rpName: 'verigate', origins: [ORIGIN], userVerification: 'required' });
  });

  it('when PASSKEY_RP_ID, PASSKEY_RP_NAME and PASSKEY_ORIGINS are set, then they override the file', () => {
    const env = { PASSKEY_RP_ID: 'bank.co.id', PASSKEY_RP_NAME: 'Bank', PASSKEY_ORIGINS: 'https://bank.co.id, https://m.bank.co.id' };
    expect(loadPasskeysConfig(env, dirWith(valid))).toEqual({
      rpId: 'bank.co.id',
      rpName: 'Bank',
      origins: ['https://bank.co.id', 'https://m.bank.co.id'],
      userVerification: 'required',
    });
  });

  it.each([
    ['an origin on another domain', { origins: ['https://example.org'] }, /origins\.0: https:\/\/example\.org is not on rpId example\.com/],
    ['plain http off localhost', { origins: ['http://example.com'] }, /origins\.0: .*must use https/],
    ['an origin with a path', { origins: ['https://example.com/login'] }, /origins\.0: must be an origin/],
    ['an IP address as RP id', { rpId: '10.0.0.1', origins: ['https://10.0.0.1'] }, /rpId: must be a domain name/],
    ['an RP id with a scheme', { rpId: 'https://example.com' }, /rpId: must be a lowercase domain name/],
    ['no origins', { origins: [] }, /origins/],
    ['an unknown setting', { timeoutMs: 1000 }, /unrecognized key|timeoutMs/i],
  ])('when the settings have %s, then loading fails naming the setting', (_, change, message) => {
    expect(() => loadPasskeysConfig({}, dirWith({ ...valid, ...change }))).toThrow(message);
  });
});
