import { ACCUAUTH_SANDBOX } from '../../adapters/accuauth/simulator';
import type { InhouseEngine } from '../../adapters/inhouse';
import { loadBreakersConfig } from '../../src/gateway/breakers';
import type { Attempt } from '../../src/gateway/attempt';
import { inhouseEngine } from '../../src/gateway/inhouse-engine';
import { tryCandidate, type InvokeDeps } from '../../src/gateway/invoke';
import { hmacKeyOf, issueKey } from '../../src/tenancy/keys-repo';
import type { Scope } from '../../src/tenancy/scopes';
import { newChallenge, signedBundle, submit, type EngineTenant } from '../engine/capture-client';
import { labLiveSelfie } from '../engine/fixtures/lab/classes';
import { faceScene, ktpScene, renderCapture, renderStatic } from '../engine/fixtures/synth';
import { SELFIE, startSimulatedGateway, type Simulated } from './support';

/**
 * The in-house engine as a provider, end to end: real capture bundles made through POST /v1/captures, then
 * /v1/verifications routed to `inhouse`, with the AccuAuth simulator in front of it for identity_selfie.
 */

// Face detection runs in worker threads that load tfjs and the models on first use.
jest.setTimeout(120_000);

/** One person of the sample faces (test/engine/fixtures/sample-faces.json), on both the selfie and the card. */
// A frontal sample face the capture lab renders (labLiveSelfie), on the selfie and on the card.
const ALICE = 's6f0';
const ALICE_KTP = { nik: '3273051508900001', birthDate: '1990-08-15', sex: 'male' as const };
const SCOPES: Scope[] = [
  'customers:write',
  'captures:write',
  'captures:view',
  'enrollments:view',
  'enrollments:write',
  'matches:view',
  'verifications:write',
  'verifications:view',
  'usage:view',
  'routing:manage',
];

interface VerificationJson {
  id: string;
  status: string;
  provider: string | null;
  livemode: boolean;
  result: { code: string; data: any } | null;
  attempts: Array<{ provider: string; operation: string; suiteCode: string; charged: string; upstream: Record<string, unknown> }>;
  skipped: Array<{ provider: string; reason: string }>;
}

let gw: Simulated;
let t: EngineTenant;
let ktpBundle: string;
let liveSelfie: string;
let spoofSelfie: string;

async function capture(
  kind: 'selfie' | 'ktp',
  frames: (sequence: Parameters<typeof renderCapture>[1]) => Promise<Buffer[]>,
  who: EngineTenant = t,
): Promise<string> {
  const c = await newChallenge(gw.app, who, kind);
  const res = await submit(gw.app, who, signedBundle(who, c, await frames(c.sequence), kind === 'ktp' ? ALICE_KTP : undefined));
  const body = (await res.json()) as { id?: string; error?: { captureBundleId?: string } };
  const id = body.id ?? body.error?.captureBundleId;
  if (!id) throw new Error(`capture: ${res.status} ${JSON.stringify(body)}`);
  return id;
}

const verify = async (
  input: Record<string, unknown>,
  check: string,
  options: { key?: string; provider?: string; customerId?: string } = {},
) => {
  const res = await gw.app.request('POST', '/v1/verifications', {
    key: options.key ?? t.key,
    body: { customerId: options.customerId ?? t.customerId, check, input, ...(options.provider && { provider: options.provider }) },
  });
  return { res, body: (await res.json()) as VerificationJson & { error?: any } };
};

const ledgerOf = async (verificationId: string) =>
  (
    await gw.app.deps.db.query<{
      provider: string;
      operation: string;
      charged: string;
      unit_price: string;
      upstream_request_id: string | null;
    }>('SELECT provider, operation, charged, unit_price, upstream_request_id FROM ledger_entries WHERE verification_id = $1 ORDER BY seq', [
      verificationId,
    ])
  ).rows.map((r) => ({ ...r, unit_price: Number(r.unit_price) }));

beforeAll(async () => {
  const settings = loadBreakersConfig();
  gw = await startSimulatedGateway({
    breakerSettings: {
      ...settings,
      // AccuAuth's 500s must not open its breaker midway; the engine's breaker opens quickly so its case stays short.
      accuauth: { ...settings.accuauth!, errorThresholdPercentage: 100 },
      inhouse: { ...settings.inhouse!, volumeThreshold: 4, errorThresholdPercentage: 50 },
    },
  });
  const k = await gw.app.tenant(SCOPES);
  const hmacKey = (await hmacKeyOf(gw.app.deps.db, gw.app.deps.keys, k.orgId, k.keyId)) as string;
  const customer = await gw.app.request('POST', '/v1/customers', { key: k.key, body: { externalRef: 'alice' } });
  t = { ...k, hmacKey, customerId: ((await customer.json()) as { id: string }).id };

  const selfieScene = await faceScene(0, 240, 320, { face: ALICE });
  const cardScene = await ktpScene(3, 360, 227, { face: ALICE });
  // The KTP first: its portrait becomes the customer's `ktp_extract` enrollment, what the selfie is matched with.
  ktpBundle = await capture('ktp', (sequence) => renderCapture(cardScene, sequence, 8, { seed: 5 }));
  // A genuine selfie as the capture lab renders one (the engine's bands are fitted to such captures, not to synth's).
  liveSelfie = await capture('selfie', (sequence) => labLiveSelfie(ALICE, sequence, 5));
  spoofSelfie = await capture('selfie', () => renderStatic(selfieScene, 8));
});
afterAll(() => gw?.close());
afterEach(() => gw?.sims.accuauth.setFaults({ serverError: false }));

describe('liveness, document and face_match answered by the engine', () => {
  it('when a live selfie bundle is verified for liveness, then the engine answers passed, free, booked at price 0, and Lapis is skipped for its other input', async () => {
    const { res, body } = await verify({ captureBundleId: liveSelfie }, 'liveness');
    expect(res.status).toBe(200);
    expect(res.headers.get('verigate-provider')).toBe('inhouse');
    expect(body).toMatchObject({
      status: 'passed',
      provider: 'inhouse',
      result: { code: 'liveness_passed', data: { captureBundleId: liveSelfie } },
    });
    expect(body.result?.data.antiSpoof.fused).toBe('live');
    expect(body.attempts).toEqual([
      expect.objectContaining({
        provider: 'inhouse',
        operation: 'flash_liveness',
        suiteCode: 'liveness_passed',
        charged: 'free',
        upstream: { status: null, code: 'live', transport: null, requestId: liveSelfie },
      }),
    ]);
    expect(body.skipped).toEqual([{ provider: 'lapis', reason: 'input_not_accepted' }]);
    expect(await ledgerOf(body.id)).toEqual([
      { provider: 'inhouse', operation: 'flash_liveness', charged: 'free', unit_price: 0, upstream_request_id: liveSelfie },
    ]);
  });

  it("when the selfie bundle was a still photo, then liveness fails with the engine's spoof verdict", async () => {
    const { body } = await verify({ captureBundleId: spoofSelfie }, 'liveness');
    expect(body).toMatchObject({ status: 'failed', provider: 'inhouse', result: { code: 'liveness_rejected' } });
    expect(body.attempts.map((a) => [a.upstream.code, a.charged])).toEqual([['spoof', 'free']]);
  });

  it('when a genuine KTP bundle is verified as a document, then it passes on its tamper voters; a selfie bundle there is refused', async () => {
    const { body } = await verify({ captureBundleId: ktpBundle }, 'document');
    expect(body).toMatchObject({ status: 'passed', provider: 'inhouse', result: { code: 'document_authentic' } });
    expect(body.result?.data.tamper.voters.map((v: { name: string }) => v.name)).toContain('nik_checksum');

    const wrong = await verify({ captureBundleId: liveSelfie }, 'document');
    expect(wrong.res.status).toBe(400);
    expect(wrong.body.error).toMatchObject({
      code: 'invalid_request',
      provider: 'inhouse',
      charged: 'free',
      upstream: { code: 'wrong_capture_kind' },
    });
  });

  it('when a live selfie is matched with the KTP portrait enrollment, then face_match passes and the stored match is readable', async () => {
    const enrollments = await gw.app.request('GET', `/v1/customers/${t.customerId}/enrollments`, { key: t.key });
    const portrait = ((await enrollments.json()) as { data: Array<{ id: string; source: string; captureBundleId: string }> }).data.find(
      (e) => e.source === 'ktp_extract',
    );
    expect(portrait?.captureBundleId).toBe(ktpBundle);

    const { body } = await verify({ captureBundleId: liveSelfie, faceEnrollmentId: portrait?.id }, 'face_match');
    expect(body).toMatchObject({ status: 'passed', provider: 'inhouse', result: { code: 'face_match', data: { matched: true } } });
    const matchId = body.result?.data.matchId as string;
    expect(body.attempts[0]).toMatchObject({ operation: 'face_match', upstream: { requestId: matchId } });
    const stored = await gw.app.request('GET', `/v1/matches/${matchId}`, { key: t.key });
    expect(await stored.json()).toMatchObject({
      id: matchId,
      matched: true,
      perReference: [{ faceEnrollmentId: portrait?.id, source: 'ktp_extract' }],
    });
  });
});

describe('identity_selfie: AccuAuth, then the registry-less engine', () => {
  const input = () => ({ idNumber: ACCUAUTH_SANDBOX.plain, faceImage: SELFIE, captureBundleId: liveSelfie });

  it('when AccuAuth fails with a free 500, then the engine answers requires_review (registry: false), both attempts free on the ledger', async () => {
    const billed = gw.sims.accuauth.billing().totalCharged;
    gw.sims.accuauth.setFaults({ serverError: true });
    const { res, body } = await verify(input(), 'identity_selfie');

    expect(res.status).toBe(200);
    expect(res.headers.get('verigate-attempts')).toBe('2');
    expect(body).toMatchObject({ status: 'requires_review', provider: 'inhouse', result: { code: 'identity_unconfirmed' } });
    expect(body.result?.data).toMatchObject({
      registry: false,
      nik: { verdict: 'pass' },
      captureBundleId: liveSelfie,
      match: { matched: true },
    });
    expect(body.result?.data.match.perReference.map((r: { source: string }) => r.source)).toEqual(['ktp_extract']);
    expect(body.attempts.map((a) => [a.provider, a.operation, a.suiteCode, a.charged])).toEqual([
      ['accuauth', 'id_selfie', 'provider_unavailable', 'free'],
      ['inhouse', 'registryless_selfie', 'identity_unconfirmed', 'free'],
    ]);
    expect(body.attempts[0]?.upstream).toMatchObject({ status: 500, code: 'INTERNAL_ERROR' });
    expect((await ledgerOf(body.id)).map((r) => [r.provider, r.charged, r.unit_price])).toEqual([
      ['accuauth', 'free', 3500],
      ['inhouse', 'free', 0],
    ]);
    expect(gw.sims.accuauth.billing().totalCharged).toBe(billed);
  });

  it('when AccuAuth answers a charged match, then the engine is not tried and nothing of it is stored', async () => {
    const matches = async () =>
      Number((await gw.app.deps.db.query<{ n: number }>('SELECT count(*) AS n FROM face_matches WHERE org_id = $1', [t.orgId])).rows[0]?.n);
    const before = await matches();
    const { body } = await verify({ ...input(), idNumber: ACCUAUTH_SANDBOX.results['01']! }, 'identity_selfie');
    expect(body).toMatchObject({ status: 'passed', provider: 'accuauth', result: { code: 'identity_match' } });
    expect(body.attempts.map((a) => [a.provider, a.charged])).toEqual([['accuauth', 'charged']]);
    expect((await ledgerOf(body.id)).map((r) => [r.provider, r.charged])).toEqual([['accuauth', 'charged']]);
    expect(await matches()).toBe(before);
  });

  it('when the registry answers a free "not found", then the engine does not overrule it: not_found stands, the engine is skipped', async () => {
    const { body } = await verify({ ...input(), idNumber: ACCUAUTH_SANDBOX.results['03']! }, 'identity_selfie');
    expect(body).toMatchObject({ status: 'not_found', provider: 'accuauth', result: { code: 'identity_not_found' } });
    expect(body.attempts.map((a) => [a.provider, a.charged])).toEqual([['accuauth', 'free']]);
    expect(body.skipped).toEqual([{ provider: 'inhouse', reason: 'answered_before' }]);
  });

  it('when the only enrollment is the selfie bundle itself, then the engine does not match it with itself: no_active_enrollments', async () => {
    const res = await gw.app.request('POST', '/v1/customers', { key: t.key, body: { externalRef: 'selfie-only' } });
    const selfieOnly: EngineTenant = { ...t, customerId: ((await res.json()) as { id: string }).id };
    const bundle = await capture('selfie', (sequence) => labLiveSelfie(ALICE, sequence, 6), selfieOnly);
    const enrolled = await gw.app.request('POST', `/v1/customers/${selfieOnly.customerId}/enrollments`, {
      key: t.key,
      body: { captureBundleId: bundle },
    });
    expect(enrolled.status).toBe(201);

    const { res: answer, body } = await verify({ ...input(), captureBundleId: bundle }, 'identity_selfie', {
      provider: 'inhouse',
      customerId: selfieOnly.customerId,
    });
    expect(answer.status).toBe(422);
    expect(body.error).toMatchObject({ code: 'no_active_enrollments', provider: 'inhouse', charged: 'free' });
  });

  it('when the engine is pinned with a structurally impossible NIK, then nik_invalid fails it without reaching AccuAuth', async () => {
    const calls = gw.sims.accuauth.billing().totalCalls;
    // Day 35 of a man's birth date: no NIK has it.
    const { body } = await verify({ ...input(), idNumber: '3217063512870001' }, 'identity_selfie', { provider: 'inhouse' });
    expect(body).toMatchObject({ status: 'failed', provider: 'inhouse', result: { code: 'nik_invalid', data: { registry: false } } });
    expect(gw.sims.accuauth.billing().totalCalls).toBe(calls);
  });
});

describe('inputs pick the provider', () => {
  it('when a liveness input fits neither shape, then 400 names the field of the shape it came closest to', async () => {
    const empty = await verify({}, 'liveness');
    expect(empty.res.status).toBe(400);
    expect(empty.body.error).toMatchObject({ code: 'invalid_request', param: 'input.captureBundleId' });
    const lapisLike = await verify({ documentId: 'doc_1' }, 'liveness');
    expect(lapisLike.body.error).toMatchObject({ code: 'invalid_request', param: 'input.video' });
    const pinned = await verify({ captureBundleId: liveSelfie }, 'liveness', { provider: 'lapis' });
    expect(pinned.res.status).toBe(400);
  });

  it('when explain is given a bundle input, then only the engine would be tried; without input both would, engine first', async () => {
    const explain = async (body: Record<string, unknown>) =>
      (await (await gw.app.request('POST', '/v1/routing/explain', { key: t.key, body })).json()) as {
        wouldTry: Array<{ provider: string }>;
        skipped: Array<{ provider: string; reason: string }>;
      };
    const withBundle = await explain({ check: 'liveness', input: { captureBundleId: liveSelfie } });
    expect(withBundle.wouldTry.map((w) => w.provider)).toEqual(['inhouse']);
    expect(withBundle.skipped).toContainEqual(expect.objectContaining({ provider: 'lapis', reason: 'input_not_accepted' }));
    expect((await explain({ check: 'liveness' })).wouldTry.map((w) => w.provider)).toEqual(['inhouse', 'lapis']);
  });
});

describe('live keys and the breaker', () => {
  it('when a live key verifies liveness, then the engine answers without credentials while vendors without them are not configured', async () => {
    const live = await issueKey(gw.app.deps.db, gw.app.deps.keys, { orgId: t.orgId, name: 'live', mode: 'live', scopes: SCOPES });
    const { body } = await verify({ captureBundleId: liveSelfie }, 'liveness', { key: live.key });
    expect(body).toMatchObject({ status: 'passed', provider: 'inhouse', livemode: true });
    const explained = await gw.app.request('POST', '/v1/routing/explain', { key: live.key, body: { check: 'liveness' } });
    const plan = (await explained.json()) as {
      wouldTry: Array<{ provider: string }>;
      skipped: Array<{ provider: string; reason: string }>;
    };
    expect(plan.wouldTry.map((w) => w.provider)).toEqual(['inhouse']);
    expect(plan.skipped).toContainEqual(expect.objectContaining({ provider: 'lapis', reason: 'provider_not_configured' }));
  });

  it('when the engine gives spoof verdicts, then its breaker stays closed; when it fails, then the breaker opens and it is skipped', async () => {
    const d = gw.app.deps;
    const deps: InvokeDeps = { ...d.gateway, errorMap: d.errorMap, providers: d.providers, logger: d.logger };
    const bound = inhouseEngine(d, { orgId: t.orgId, keyId: t.keyId, keyMode: 'live', scopes: SCOPES });
    let failing = false;
    const engine: InhouseEngine = {
      ...bound,
      findCapture: (id) => (failing ? Promise.reject(new Error('worker pool down')) : bound.findCapture(id)),
    };
    const attempts: Attempt[] = [];
    // Live mode: the sandbox breaker the other cases use is left alone.
    const call = {
      check: 'liveness' as const,
      keyMode: 'live' as const,
      input: { captureBundleId: spoofSelfie },
      meta: { customerId: t.customerId, verificationId: 'ver_breaker', now: new Date() },
      writeAhead: async () => undefined,
      settle: (a: Attempt) => void attempts.push(a),
      withdraw: async () => undefined,
      engine,
    };
    const candidate = { provider: 'inhouse' as const, operation: 'flash_liveness' };

    for (let i = 0; i < 6; i++) await tryCandidate(deps, candidate, call);
    expect(attempts.map((a) => a.suiteCode)).toEqual(Array(6).fill('liveness_rejected'));
    expect(d.gateway.breakers.state('live', 'inhouse')).toBe('closed');

    failing = true;
    for (let i = 0; i < 8 && d.gateway.breakers.state('live', 'inhouse') === 'closed'; i++) await tryCandidate(deps, candidate, call);
    expect(d.gateway.breakers.state('live', 'inhouse')).toBe('open');
    expect(attempts.at(-1)).toMatchObject({ suiteCode: 'provider_unavailable', charged: 'free', upstream: { code: 'engine_unavailable' } });
    const recorded = attempts.length;
    expect(await tryCandidate(deps, candidate, call)).toEqual({
      tried: false,
      skip: { provider: 'inhouse', reason: 'breaker_open', suiteCode: 'provider_unavailable' },
    });
    expect(attempts).toHaveLength(recorded);
  });
});
