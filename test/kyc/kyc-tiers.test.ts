import { ACCUAUTH_SANDBOX } from '../../adapters/accuauth/simulator';
import { deleteExpiredCaptures } from '../../src/engine/captures-repo';
import { newId } from '../../src/ids';
import { effectiveTier } from '../../src/kyc/kyc-status';
import { issueKey, hmacKeyOf } from '../../src/tenancy/keys-repo';
import type { Scope } from '../../src/tenancy/scopes';
import { pngBase64 } from '../adapters/lapis/fixtures';
import { newChallenge, signedBundle, submit, type EngineTenant, type ErrorJson } from '../engine/capture-client';
import { labLiveSelfie } from '../engine/fixtures/lab/classes';
import { ktpScene, renderCapture } from '../engine/fixtures/synth';
import { SELFIE, startSimulatedGateway, type Simulated } from '../gateway/support';
import type { TestApp } from '../helpers/test-app';

const SCOPES: Scope[] = ['customers:write', 'verifications:write', 'captures:write', 'captures:view', 'kyc:view', 'kyc:write'];
const VALID_KTP = { nik: '3273051508900001', birthDate: '1990-08-15', sex: 'male' as const };
const REASON = 'Manual review of payslips and employer letter';

interface KycJson {
  customerId: string;
  tier: string;
  eligibleTier: string;
  override: Record<string, unknown> | null;
  evidence: Record<'nikConfirmed' | 'liveness' | 'document' | 'registrySelfie', { satisfied: boolean; ids: string[] }>;
  nextTier: { tier: string; missing: string[] } | null;
}

type Tenant = EngineTenant;

/** An org whose sandbox key may do everything KYC needs, and one of its customers. */
async function tenant(app: TestApp, scopes: Scope[] = SCOPES): Promise<Tenant> {
  const t = await app.tenant(scopes.includes('customers:write') ? scopes : [...scopes, 'customers:write']);
  const res = await app.request('POST', '/v1/customers', { key: t.key, body: { externalRef: `person-${Math.random()}` } });
  const { id } = (await res.json()) as { id: string };
  const hmacKey = (await hmacKeyOf(app.deps.db, app.deps.keys, t.orgId, t.keyId)) as string;
  return { ...t, hmacKey, customerId: id };
}

/** Who serves each check here: pinned, so the default routing (in-house first for some checks) does not matter. */
const SIMULATED: Record<string, string> = { name_check: 'accuauth', identity_selfie: 'accuauth', document: 'lapis', liveness: 'lapis' };

/** A sandbox verification through the vendor simulators; it must pass, or the test setup is wrong. */
async function passed(
  app: TestApp,
  t: Tenant,
  check: string,
  input: unknown,
): Promise<{ id: string; result: { data: Record<string, unknown> } }> {
  const res = await app.request('POST', '/v1/verifications', {
    key: t.key,
    body: { customerId: t.customerId, check, provider: SIMULATED[check], input },
  });
  const body = (await res.json()) as { id: string; status: string; result: { data: Record<string, unknown> } };
  if (body.status !== 'passed') throw new Error(`${check}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

const nameCheck = (app: TestApp, t: Tenant) => passed(app, t, 'name_check', { idNumber: ACCUAUTH_SANDBOX.plain, name: 'Budi Santoso' });
const registrySelfie = (app: TestApp, t: Tenant) =>
  passed(app, t, 'identity_selfie', { idNumber: ACCUAUTH_SANDBOX.results['01'], faceImage: SELFIE });

/** A Lapis document, then a Lapis liveness video on it: both passed. */
async function documentAndLiveness(app: TestApp, t: Tenant): Promise<{ documentVer: string; livenessVer: string }> {
  const doc = await passed(app, t, 'document', { front: { base64: pngBase64() } });
  const video = { base64: `data:video/mp4;base64,${Buffer.from('ftypisom').toString('base64')}` };
  const live = await passed(app, t, 'liveness', { documentId: doc.result.data.documentId, video });
  return { documentVer: doc.id, livenessVer: live.id };
}

/** The sample person whose selfie and KTP portrait the engine tests know to be detected. */
const PERSON = 's6f0';

/** A live selfie and a genuine KTP card through the in-house engine: both passed. */
async function captures(app: TestApp, t: Tenant): Promise<{ selfieCap: string; ktpCap: string }> {
  const capture = async (kind: 'selfie' | 'ktp') => {
    const c = await newChallenge(app, t, kind);
    const frames =
      kind === 'selfie'
        ? await labLiveSelfie(PERSON, c.sequence, 5)
        : await renderCapture(await ktpScene(0, 360, 227, { face: PERSON }), c.sequence, 6, { seed: 2 });
    const res = await submit(app, t, signedBundle(t, c, frames, kind === 'ktp' ? VALID_KTP : undefined));
    const body = (await res.json()) as { id: string; status: string };
    if (body.status !== 'passed') throw new Error(`${kind} capture: ${res.status} ${JSON.stringify(body)}`);
    return body.id;
  };
  return { selfieCap: await capture('selfie'), ktpCap: await capture('ktp') };
}

async function kyc(app: TestApp, t: Pick<Tenant, 'key'>, customerId: string): Promise<KycJson> {
  const res = await app.request('GET', `/v1/customers/${customerId}/kyc`, { key: t.key });
  if (res.status !== 200) throw new Error(`kyc: ${res.status} ${await res.text()}`);
  return (await res.json()) as KycJson;
}

const override = (app: TestApp, t: Pick<Tenant, 'key'>, customerId: string, body: unknown, headers: Record<string, string> = {}) =>
  app.request('POST', `/v1/customers/${customerId}/kyc/override`, { key: t.key, body, headers });

async function history(app: TestApp, t: Pick<Tenant, 'key'>, customerId: string): Promise<Array<Record<string, unknown>>> {
  const res = await app.request('GET', `/v1/customers/${customerId}/kyc/overrides`, { key: t.key });
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: Array<Record<string, unknown>> }).data;
}

const errorOf = async (res: Response) => ((await res.json()) as ErrorJson).error;

/** A verification row written straight to the table, for evidence the API cannot produce (yet). */
async function recordVerification(app: TestApp, v: { orgId: string; keyId: string; customerId: string; check: string; provider: string }) {
  const id = newId('ver');
  await app.deps.db.query(
    `INSERT INTO verifications (id, org_id, key_id, customer_id, check_name, mode, requested_provider, sandbox, status, provider, completed_at)
     VALUES ($1, $2, $3, $4, $5, 'sync', $6, true, 'passed', $6, now())`,
    [id, v.orgId, v.keyId, v.customerId, v.check, v.provider],
  );
  return id;
}

let gw: Simulated;
beforeAll(async () => {
  gw = await startSimulatedGateway();
});
afterAll(() => gw?.close());

describe('KYC eligibility, derived from evidence made through the API', () => {
  it('when a customer has no evidence, then tier and eligibility are none and basic needs a registry-confirmed NIK', async () => {
    const t = await tenant(gw.app);
    expect(await kyc(gw.app, t, t.customerId)).toEqual({
      object: 'kyc_status',
      customerId: t.customerId,
      tier: 'none',
      eligibleTier: 'none',
      override: null,
      evidence: {
        nikConfirmed: { satisfied: false, ids: [] },
        liveness: { satisfied: false, ids: [] },
        document: { satisfied: false, ids: [] },
        registrySelfie: { satisfied: false, ids: [] },
      },
      nextTier: { tier: 'basic', missing: ['nikConfirmed'] },
    });
  });

  it('when AccuAuth confirms the name and NIK, then basic, citing that verification, and standard still needs liveness and a document', async () => {
    const t = await tenant(gw.app);
    const ver = await nameCheck(gw.app, t);
    const status = await kyc(gw.app, t, t.customerId);
    expect(status).toMatchObject({
      tier: 'basic',
      eligibleTier: 'basic',
      nextTier: { tier: 'standard', missing: ['liveness', 'document'] },
    });
    expect(status.evidence.nikConfirmed).toEqual({ satisfied: true, ids: [ver.id] });
    expect(await effectiveTier(gw.app.deps.db, t.orgId, t.customerId, { keyMode: 'test' })).toBe('basic');
  });

  it('when the registry says the selfie does not match (AccuAuth 02), then nothing is confirmed and the tier stays none', async () => {
    const t = await tenant(gw.app);
    const res = await gw.app.request('POST', '/v1/verifications', {
      key: t.key,
      body: {
        customerId: t.customerId,
        check: 'identity_selfie',
        provider: 'accuauth',
        input: { idNumber: ACCUAUTH_SANDBOX.results['02'], faceImage: SELFIE },
      },
    });
    expect(((await res.json()) as { status: string }).status).toBe('failed');
    expect((await kyc(gw.app, t, t.customerId)).eligibleTier).toBe('none');
  });

  it('when a Lapis document and liveness passed but no registry confirmed the NIK, then none: tiers are cumulative', async () => {
    const t = await tenant(gw.app);
    const { documentVer, livenessVer } = await documentAndLiveness(gw.app, t);
    const status = await kyc(gw.app, t, t.customerId);
    expect(status).toMatchObject({ eligibleTier: 'none', nextTier: { tier: 'basic', missing: ['nikConfirmed'] } });
    expect(status.evidence.document).toEqual({ satisfied: true, ids: [documentVer] });
    expect(status.evidence.liveness).toEqual({ satisfied: true, ids: [livenessVer] });
  });

  it('when the NIK is confirmed and Lapis passed a document and a liveness check, then standard, and premium needs a registry selfie', async () => {
    const t = await tenant(gw.app);
    await nameCheck(gw.app, t);
    await documentAndLiveness(gw.app, t);
    expect(await kyc(gw.app, t, t.customerId)).toMatchObject({
      tier: 'standard',
      eligibleTier: 'standard',
      nextTier: { tier: 'premium', missing: ['registrySelfie'] },
    });
  });

  it('when the NIK is confirmed and the in-house engine passed a selfie and a KTP capture, then standard, citing the cap_ ids', async () => {
    const t = await tenant(gw.app);
    await nameCheck(gw.app, t);
    const { selfieCap, ktpCap } = await captures(gw.app, t);
    const status = await kyc(gw.app, t, t.customerId);
    expect(status.eligibleTier).toBe('standard');
    expect(status.evidence.liveness).toEqual({ satisfied: true, ids: [selfieCap] });
    expect(status.evidence.document).toEqual({ satisfied: true, ids: [ktpCap] });
  });

  it('when the registry matched the selfie (AccuAuth 01) besides liveness and a document, then premium and no next tier', async () => {
    const t = await tenant(gw.app);
    const selfie = await registrySelfie(gw.app, t);
    await documentAndLiveness(gw.app, t);
    const status = await kyc(gw.app, t, t.customerId);
    expect(status).toMatchObject({ tier: 'premium', eligibleTier: 'premium', nextTier: null });
    // One registry selfie confirms the NIK and matches the face: it is cited for both.
    expect(status.evidence.nikConfirmed.ids).toEqual([selfie.id]);
    expect(status.evidence.registrySelfie.ids).toEqual([selfie.id]);
  });

  it('when the only identity_selfie passed in-house (registry-less), then it confirms no NIK and the tier stays none', async () => {
    const t = await tenant(gw.app);
    // Written directly: the in-house engine maps a registry-less match to requires_review, so this rule
    // guards against a future or misconfigured in-house pass rather than today's answers.
    await recordVerification(gw.app, { ...t, check: 'identity_selfie', provider: 'inhouse' });
    await documentAndLiveness(gw.app, t);
    const status = await kyc(gw.app, t, t.customerId);
    expect(status.eligibleTier).toBe('none');
    expect(status.evidence.nikConfirmed.satisfied).toBe(false);
    expect(status.evidence.registrySelfie.satisfied).toBe(false);
  });

  it('when the evidence belongs to another customer of the org, or is recorded under another org, then it does not count', async () => {
    const t = await tenant(gw.app);
    const res = await gw.app.request('POST', '/v1/customers', { key: t.key, body: { externalRef: 'sibling' } });
    const siblingId = ((await res.json()) as { id: string }).id;
    await nameCheck(gw.app, { ...t, customerId: siblingId });
    // A row naming t's customer under another org: the API refuses to write one, and the read must not trust it either.
    const stranger = await tenant(gw.app);
    await recordVerification(gw.app, {
      orgId: stranger.orgId,
      keyId: stranger.keyId,
      customerId: t.customerId,
      check: 'name_check',
      provider: 'accuauth',
    });
    expect((await kyc(gw.app, t, t.customerId)).eligibleTier).toBe('none');
    expect((await kyc(gw.app, t, siblingId)).eligibleTier).toBe('basic');
  });

  it('when a live key reads, then sandbox (simulator) verifications do not count, while the test key sees them', async () => {
    const t = await tenant(gw.app);
    await nameCheck(gw.app, t);
    const live = await issueKey(gw.app.deps.db, gw.app.deps.keys, { orgId: t.orgId, name: 'live', mode: 'live', scopes: ['kyc:view'] });
    expect((await kyc(gw.app, { key: live.key }, t.customerId)).evidence.nikConfirmed).toEqual({ satisfied: false, ids: [] });
    expect((await kyc(gw.app, t, t.customerId)).eligibleTier).toBe('basic');
    expect(await effectiveTier(gw.app.deps.db, t.orgId, t.customerId)).toBe('none');
  });
});

describe('POST /v1/customers/:id/kyc/override (seed 000 KYC tier errors)', () => {
  it('when eligible is basic and the analyst asks for premium, then 409 cannot upgrade more than one tier above eligible, and nothing is recorded', async () => {
    const t = await tenant(gw.app);
    await nameCheck(gw.app, t);
    const res = await override(gw.app, t, t.customerId, { tier: 'premium', reason: REASON });
    expect(res.status).toBe(409);
    expect(await errorOf(res)).toMatchObject({
      code: 'tier_upgrade_too_far',
      message: 'cannot upgrade more than one tier above eligible',
      status: 409,
      param: 'tier',
      eligibleTier: 'basic',
      requestedTier: 'premium',
    });
    expect(await history(gw.app, t, t.customerId)).toEqual([]);
    expect((await kyc(gw.app, t, t.customerId)).tier).toBe('basic');
  });

  it('when the trimmed reason is 19 characters, then 400 reason too short; at exactly 20 it is accepted', async () => {
    const t = await tenant(gw.app);
    const short = await override(gw.app, t, t.customerId, { tier: 'basic', reason: `   ${'x'.repeat(19)}          ` });
    expect(short.status).toBe(400);
    expect(await errorOf(short)).toMatchObject({ code: 'reason_too_short', message: 'reason too short', status: 400, param: 'reason' });
    expect(await history(gw.app, t, t.customerId)).toEqual([]);
    const enough = await override(gw.app, t, t.customerId, { tier: 'basic', reason: '12345678901234567890' });
    expect(enough.status).toBe(201);
  });

  it('when nothing is eligible, then one tier up (basic) is allowed and two (standard) are refused', async () => {
    const t = await tenant(gw.app);
    expect((await override(gw.app, t, t.customerId, { tier: 'standard', reason: REASON })).status).toBe(409);
    const res = await override(gw.app, t, t.customerId, { tier: 'basic', reason: REASON });
    expect(res.status).toBe(201);
    expect(await kyc(gw.app, t, t.customerId)).toMatchObject({ tier: 'basic', eligibleTier: 'none' });
  });

  it('when eligible is basic, then standard and premium can be reached in two steps with a reason each (seed 000), both audited', async () => {
    const t = await tenant(gw.app);
    await nameCheck(gw.app, t);
    expect((await override(gw.app, t, t.customerId, { tier: 'standard', reason: 'Step one: payslips reviewed by ops' })).status).toBe(201);
    const res = await override(gw.app, t, t.customerId, { tier: 'premium', reason: 'Step two: video call held with customer' });
    expect(res.status).toBe(201);
    expect(await kyc(gw.app, t, t.customerId)).toMatchObject({ tier: 'premium', eligibleTier: 'basic' });
    const audit = (await history(gw.app, t, t.customerId)) as Array<{ fromTier: string; toTier: string; eligibleTier: string; reason: string }>;
    expect(audit.map((o) => [o.fromTier, o.toTier, o.eligibleTier, o.reason])).toEqual([
      ['standard', 'premium', 'basic', 'Step two: video call held with customer'],
      ['basic', 'standard', 'basic', 'Step one: payslips reviewed by ops'],
    ]);
  });

  it('when an analyst restricted a customer below eligible, then the next upgrade is measured from the evidence, not from the restriction', async () => {
    const t = await tenant(gw.app);
    await nameCheck(gw.app, t);
    expect((await override(gw.app, t, t.customerId, { tier: 'none', reason: 'Suspected mule account, under review' })).status).toBe(201);
    expect((await override(gw.app, t, t.customerId, { tier: 'premium', reason: REASON })).status).toBe(409);
    expect((await override(gw.app, t, t.customerId, { tier: 'standard', reason: REASON })).status).toBe(201);
  });

  it('when the analyst restricts a standard customer to basic, then a later passed registry selfie does not lift the restriction', async () => {
    const t = await tenant(gw.app);
    await nameCheck(gw.app, t);
    await documentAndLiveness(gw.app, t);
    const res = await override(gw.app, t, t.customerId, { tier: 'basic', reason: 'Suspected account takeover, see ticket 4411' });
    expect(res.status).toBe(201);
    await registrySelfie(gw.app, t);
    const status = await kyc(gw.app, t, t.customerId);
    expect(status).toMatchObject({ tier: 'basic', eligibleTier: 'premium', override: { toTier: 'basic', fromTier: 'standard' } });
    expect(await effectiveTier(gw.app.deps.db, t.orgId, t.customerId, { keyMode: 'test' })).toBe('basic');
  });

  it('when the tier is unknown or a field is extra, then 400 invalid_request naming it', async () => {
    const t = await tenant(gw.app);
    const unknown = await override(gw.app, t, t.customerId, { tier: 'gold', reason: REASON });
    expect(unknown.status).toBe(400);
    expect(await errorOf(unknown)).toMatchObject({ code: 'invalid_request', param: 'tier' });
    const extra = await override(gw.app, t, t.customerId, { tier: 'basic', reason: REASON, approvedBy: 'me' });
    expect(extra.status).toBe(400);
    expect((await errorOf(extra)).code).toBe('invalid_request');
  });

  it('when the same Idempotency-Key is sent twice, then the override is recorded once and the reply replayed', async () => {
    const t = await tenant(gw.app);
    const headers = { 'idempotency-key': 'override-1' };
    const first = await override(gw.app, t, t.customerId, { tier: 'basic', reason: REASON }, headers);
    const second = await override(gw.app, t, t.customerId, { tier: 'basic', reason: REASON }, headers);
    expect(first.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await second.text()).toBe(await first.text());
    expect(await history(gw.app, t, t.customerId)).toHaveLength(1);
  });
});

describe('the override audit trail', () => {
  it('when two overrides are made, then the history lists both newest first with who (key and analyst), when and why', async () => {
    const t = await tenant(gw.app);
    await nameCheck(gw.app, t);
    const before = Date.now();
    const up = await override(gw.app, t, t.customerId, { tier: 'standard', reason: `  ${REASON}  `, analyst: 'Sari Wulandari' });
    const down = await override(gw.app, t, t.customerId, { tier: 'none', reason: 'Chargeback fraud reported by the bank' });
    const after = Date.now();
    const upBody = (await up.json()) as Record<string, unknown>;
    expect(upBody).toEqual({
      id: expect.stringMatching(/^kyo_\w{20}$/),
      object: 'kyc_override',
      customerId: t.customerId,
      fromTier: 'basic',
      toTier: 'standard',
      eligibleTier: 'basic',
      reason: REASON,
      keyId: t.keyId,
      analyst: 'Sari Wulandari',
      sandbox: true,
      createdAt: expect.any(String),
    });
    const at = Date.parse(upBody.createdAt as string);
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(after);

    const entries = await history(gw.app, t, t.customerId);
    expect(entries.map((e) => [e.fromTier, e.toTier, e.eligibleTier, e.analyst, e.keyId])).toEqual([
      ['standard', 'none', 'basic', null, t.keyId],
      ['basic', 'standard', 'basic', 'Sari Wulandari', t.keyId],
    ]);
    expect(entries[1]).toEqual(upBody);
    expect((await kyc(gw.app, t, t.customerId)).override).toEqual(entries[0]);
    expect(await down.json()).toEqual(entries[0]);
  });

  it('when anyone tries to edit or delete an override row in the database, then Postgres refuses: the trail is append-only', async () => {
    const t = await tenant(gw.app);
    await override(gw.app, t, t.customerId, { tier: 'basic', reason: REASON });
    const db = gw.app.deps.db;
    await expect(db.query("UPDATE kyc_overrides SET to_tier = 'premium' WHERE customer_id = $1", [t.customerId])).rejects.toThrow(
      /append-only/,
    );
    await expect(db.query('DELETE FROM kyc_overrides WHERE customer_id = $1', [t.customerId])).rejects.toThrow(/append-only/);
    expect((await history(gw.app, t, t.customerId))[0]).toMatchObject({ toTier: 'basic' });
  });

  it('when a test key overrides, then live keys neither see it nor hold the customer to it', async () => {
    const t = await tenant(gw.app);
    await override(gw.app, t, t.customerId, { tier: 'basic', reason: REASON });
    const live = await issueKey(gw.app.deps.db, gw.app.deps.keys, { orgId: t.orgId, name: 'live', mode: 'live', scopes: ['kyc:view'] });
    expect(await kyc(gw.app, { key: live.key }, t.customerId)).toMatchObject({ tier: 'none', override: null });
    expect(await history(gw.app, { key: live.key }, t.customerId)).toEqual([]);
    expect(await effectiveTier(gw.app.deps.db, t.orgId, t.customerId)).toBe('none');
    expect(await effectiveTier(gw.app.deps.db, t.orgId, t.customerId, { keyMode: 'test' })).toBe('basic');
  });
});

describe('tenancy and scopes', () => {
  it("when another org names this org's customer, then every KYC route answers 404 customer not found", async () => {
    const t = await tenant(gw.app);
    const other = await tenant(gw.app);
    const answers = [
      await gw.app.request('GET', `/v1/customers/${t.customerId}/kyc`, { key: other.key }),
      await gw.app.request('GET', `/v1/customers/${t.customerId}/kyc/overrides`, { key: other.key }),
      await override(gw.app, other, t.customerId, { tier: 'basic', reason: REASON }),
    ];
    for (const res of answers) {
      expect(res.status).toBe(404);
      expect(await errorOf(res)).toMatchObject({ code: 'resource_not_found', message: 'customer not found', param: 'id' });
    }
    expect(await history(gw.app, t, t.customerId)).toEqual([]);
  });

  it('when the key lacks kyc:view or kyc:write, then 401 missing scope naming it', async () => {
    const viewer = await tenant(gw.app, ['kyc:view']);
    const writer = await tenant(gw.app, ['kyc:write']);
    const write = await override(gw.app, viewer, viewer.customerId, { tier: 'basic', reason: REASON });
    expect(write.status).toBe(401);
    expect(await errorOf(write)).toMatchObject({ code: 'missing_scope', message: 'missing scope: kyc:write' });
    for (const path of ['kyc', 'kyc/overrides']) {
      const read = await gw.app.request('GET', `/v1/customers/${writer.customerId}/${path}`, { key: writer.key });
      expect(read.status).toBe(401);
      expect((await errorOf(read)).message).toBe('missing scope: kyc:view');
    }
  });
});

describe('capture verdicts outlive the retention sweep', () => {
  // Its own app: the clock is moved past retention, which other tests must not see.
  let own: Simulated;
  beforeAll(async () => {
    own = await startSimulatedGateway();
  });
  afterAll(() => own?.close());

  it('when the sweep has erased the capture bundles, then their verdicts still count and the customer stays standard', async () => {
    const t = await tenant(own.app);
    await nameCheck(own.app, t);
    const { selfieCap, ktpCap } = await captures(own.app, t);
    const retentionMs = own.app.deps.engine.config.capture.bundleRetentionDays * 86_400_000;
    own.app.advance(retentionMs + 60_000);
    expect(await deleteExpiredCaptures(own.app.deps.db, own.app.deps.now())).toBe(2);
    const gone = await own.app.request('GET', `/v1/captures/${selfieCap}`, { key: t.key });
    expect(gone.status).toBe(404);
    const status = await kyc(own.app, t, t.customerId);
    expect(status.eligibleTier).toBe('standard');
    expect(status.evidence.liveness.ids).toEqual([selfieCap]);
    expect(status.evidence.document.ids).toEqual([ktpCap]);
  });
});
