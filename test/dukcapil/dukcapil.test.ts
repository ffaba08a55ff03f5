import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { sampleReferencePhoto } from '../../adapters/accuauth/reference-photo';
import { ACCUAUTH_SANDBOX } from '../../adapters/accuauth/simulator';
import { resolveCharge } from '../../src/gateway/error-map';
import { createLogger } from '../../src/logger';
import { issueKey } from '../../src/tenancy/keys-repo';
import { createOrg } from '../../src/tenancy/orgs-repo';
import type { Capability, Scope } from '../../src/tenancy/scopes';
import { SELFIE, startSimulatedGateway, type Simulated } from '../gateway/support';

// The engine loads its face models on the first reference photo.
jest.setTimeout(60_000);

const SCOPES: Scope[] = ['verifications:write', 'verifications:view', 'customers:write', 'enrollments:view'];
const { referencePhoto: PHOTO_NIKS, results: RESULT_NIKS } = ACCUAUTH_SANDBOX;
const DAY_MS = 86_400_000;

const logLines: string[] = [];
let gw: Simulated;
let photo: string;

beforeAll(async () => {
  const sink = new Writable({ write: (chunk, _enc, done) => (logLines.push(String(chunk)), done()) });
  gw = await startSimulatedGateway({}, { logger: createLogger('debug', sink) });
  photo = await sampleReferencePhoto();
});
afterAll(() => gw?.close());

/** A new org with `capabilities`, one sandbox key and one customer. */
async function tenant(capabilities: Capability[] = ['dukcapil']) {
  const { db, keys } = gw.app.deps;
  const org = await createOrg(db, { name: `org ${randomBytes(3).toString('hex')}`, capabilities });
  const { key } = await issueKey(db, keys, { orgId: org.id, name: 'test', mode: 'test', scopes: SCOPES });
  const res = await gw.app.request('POST', '/v1/customers', { key, body: { externalRef: `ref-${randomBytes(4).toString('hex')}` } });
  const customer = (await res.json()) as { id: string };
  return { orgId: org.id, key, customerId: customer.id };
}

const check = (key: string, body: object, headers: Record<string, string> = {}) =>
  gw.app.request('POST', '/v1/nik/dukcapil', { key, body, headers });

/** Calls the AccuAuth simulator received, all scenarios together. */
const simulatorCalls = () => gw.sims.accuauth.billing().totalCalls;

const ledgerOf = async (verificationId: string) =>
  (
    await gw.app.deps.db.query<{
      provider: string;
      operation: string;
      check_name: string;
      charged: string;
      unit_price: string;
      sandbox: boolean;
    }>('SELECT provider, operation, check_name, charged, unit_price, sandbox FROM ledger_entries WHERE verification_id = $1', [
      verificationId,
    ])
  ).rows;

/** What the mapping table books for an id_selfie answer with this result code. */
const tableCharge = (result: string) =>
  resolveCharge(gw.app.deps.errorMap.classify('accuauth', 'id_selfie', { httpStatus: 200, code: 'OK', result }).row);

describe('POST /v1/nik/dukcapil behind the org capability', () => {
  it('when the org lacks the dukcapil capability, then it answers 403 with the seed message before reading the body, and calls nobody', async () => {
    const t = await tenant([]);
    const before = simulatorCalls();

    const valid = await check(t.key, { customerId: t.customerId, nik: PHOTO_NIKS.match, selfie: SELFIE });
    const empty = await check(t.key, {});

    for (const res of [valid, empty]) {
      expect(res.status).toBe(403);
      expect((await res.json()).error).toMatchObject({
        code: 'org_capability_disabled',
        message: 'org capability disabled: dukcapil',
        type: 'permission_error',
      });
    }
    expect(simulatorCalls()).toBe(before);
  });

  it('when the org has other capabilities but not dukcapil, then it is still 403', async () => {
    const t = await tenant(['hosted_session', 'live_traffic']);

    const res = await check(t.key, { customerId: t.customerId, nik: PHOTO_NIKS.match, selfie: SELFIE });

    expect(res.status).toBe(403);
    expect((await res.json()).error.message).toBe('org capability disabled: dukcapil');
  });

  it('when the customer belongs to another org, then it answers 404 and calls nobody', async () => {
    const mine = await tenant();
    const theirs = await tenant();
    const before = simulatorCalls();

    const res = await check(mine.key, { customerId: theirs.customerId, nik: PHOTO_NIKS.match, selfie: SELFIE });

    expect(res.status).toBe(404);
    expect((await res.json()).error).toMatchObject({ code: 'resource_not_found', param: 'customerId' });
    expect(simulatorCalls()).toBe(before);
  });

  it('when the selfie is over AccuAuth 50 KB limit, then it answers 400 naming selfie and calls nobody', async () => {
    const t = await tenant();
    const before = simulatorCalls();

    const res = await check(t.key, {
      customerId: t.customerId,
      nik: PHOTO_NIKS.match,
      selfie: Buffer.alloc(50 * 1024 + 1, 1).toString('base64'),
    });

    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatchObject({ code: 'invalid_request', param: 'selfie' });
    expect(simulatorCalls()).toBe(before);
  });
});

describe('POST /v1/nik/dukcapil verdicts', () => {
  it('when the registry matches and returns a reference photo, then the verdict passes and the photo becomes a dukcapil enrollment', async () => {
    const t = await tenant();
    const started = Date.now();

    const res = await check(t.key, {
      customerId: t.customerId,
      nik: PHOTO_NIKS.match,
      selfie: SELFIE,
      name: 'Budi Santoso',
      birthDate: '1987-12-10',
    });

    expect(res.status).toBe(200);
    expect(res.headers.get('verigate-provider')).toBe('accuauth');
    const verdict = await res.json();
    expect(verdict).toMatchObject({
      object: 'dukcapil_verdict',
      customerId: t.customerId,
      livemode: false,
      status: 'passed',
      provider: 'accuauth',
      nikFound: true,
      nikActive: null,
      nameMatch: true,
      birthDateMatch: true,
      faceSimilarity: 0.925,
      faceMatch: true,
      referencePhoto: 'enrolled',
    });
    expect(verdict.id).toBe(verdict.verificationId);
    expect(verdict.enrollment).toMatchObject({
      object: 'face_enrollment',
      source: 'dukcapil',
      verificationId: verdict.verificationId,
      status: 'active',
    });
    const retention = gw.app.deps.engine.config.face.enrollmentRetentionDays * DAY_MS;
    expect(Date.parse(verdict.enrollment.retainUntil)).toBeGreaterThanOrEqual(started + retention - 1000);
    expect(Date.parse(verdict.enrollment.retainUntil)).toBeLessThanOrEqual(Date.now() + retention);

    const listed = await (await gw.app.request('GET', `/v1/customers/${t.customerId}/enrollments`, { key: t.key })).json();
    expect(listed.data).toEqual([verdict.enrollment]);

    // Recorded as an identity_selfie verification pinned to AccuAuth: what KYC tiers count as registry evidence.
    const stored = await (await gw.app.request('GET', `/v1/verifications/${verdict.verificationId}`, { key: t.key })).json();
    expect(stored).toMatchObject({ check: 'identity_selfie', status: 'passed', provider: 'accuauth', requestedProvider: 'accuauth' });
  });

  it.each(['03', '05'])(
    'when the registry answers %s (NIK not found), then the verdict is not_found and nothing is enrolled',
    async (code) => {
      const t = await tenant();

      const res = await check(t.key, { customerId: t.customerId, nik: RESULT_NIKS[code] as string, selfie: SELFIE, name: 'Budi Santoso' });

      expect(res.status).toBe(200);
      const verdict = await res.json();
      expect(verdict).toMatchObject({
        status: 'not_found',
        nikFound: false,
        nameMatch: null,
        faceSimilarity: null,
        faceMatch: null,
        referencePhoto: 'absent',
        enrollment: null,
      });
      // Pinned: AccuAuth's not-found invites failover, but a Dukcapil answer must come from the registry.
      expect(verdict.attempts.map((a: { provider: string }) => a.provider)).toEqual(['accuauth']);
      const listed = await (await gw.app.request('GET', `/v1/customers/${t.customerId}/enrollments`, { key: t.key })).json();
      expect(listed.data).toEqual([]);
    },
  );

  it('when the registry mismatches but returns a reference photo, then the verdict fails and the photo is not enrolled', async () => {
    const t = await tenant();

    const res = await check(t.key, { customerId: t.customerId, nik: PHOTO_NIKS.mismatch, selfie: SELFIE });

    const verdict = await res.json();
    expect(verdict).toMatchObject({
      status: 'failed',
      nikFound: true,
      faceMatch: false,
      faceSimilarity: 0.533,
      referencePhoto: 'verdict_not_passed',
      enrollment: null,
    });
    const listed = await (await gw.app.request('GET', `/v1/customers/${t.customerId}/enrollments`, { key: t.key })).json();
    expect(listed.data).toEqual([]);
  });

  it('when a verdict with a photo and one without run at once, then only the first customer is enrolled', async () => {
    const [a, b] = await Promise.all([tenant(), tenant()]);

    const [withPhoto, without] = await Promise.all([
      check(a.key, { customerId: a.customerId, nik: PHOTO_NIKS.match, selfie: SELFIE }).then((r) => r.json()),
      check(b.key, { customerId: b.customerId, nik: RESULT_NIKS['01'] as string, selfie: SELFIE }).then((r) => r.json()),
    ]);

    expect([withPhoto.status, without.status]).toEqual(['passed', 'passed']);
    expect([withPhoto.referencePhoto, without.referencePhoto]).toEqual(['enrolled', 'absent']);
    expect(withPhoto.enrollment.customerId).toBe(a.customerId);
    const listed = await (await gw.app.request('GET', `/v1/customers/${b.customerId}/enrollments`, { key: b.key })).json();
    expect(listed.data).toEqual([]);
  });

  it('when the registry channel fails, then it is a 503 naming AccuAuth alone and the verification ends in error', async () => {
    const t = await tenant();

    const res = await check(t.key, { customerId: t.customerId, nik: RESULT_NIKS['06'] as string, selfie: SELFIE });

    expect(res.status).toBe(503);
    const { error } = await res.json();
    expect(error).toMatchObject({ code: 'provider_unavailable', provider: 'accuauth', charged: 'free' });
    expect(error.reasons.map((r: { provider: string }) => r.provider)).toEqual(['accuauth']);
    const stored = await (await gw.app.request('GET', `/v1/verifications/${error.verification}`, { key: t.key })).json();
    expect(stored.status).toBe('error');
  });
});

describe('POST /v1/nik/dukcapil ledger, privacy and idempotency', () => {
  it.each([
    ['a registry match', PHOTO_NIKS.match, '01', 'charged'],
    ['a NIK not in the registry', RESULT_NIKS['05'] as string, '05', 'free'],
  ])('when %s is answered, then its one ledger row is booked as the mapping table says (%s)', async (_what, nik, result, expected) => {
    const t = await tenant();

    const verdict = await (await check(t.key, { customerId: t.customerId, nik, selfie: SELFIE })).json();

    const rows = await ledgerOf(verdict.verificationId);
    expect(tableCharge(result)).toBe(expected);
    expect(rows).toEqual([
      {
        provider: 'accuauth',
        operation: 'id_selfie',
        check_name: 'identity_selfie',
        charged: tableCharge(result),
        unit_price: expect.any(String),
        sandbox: true,
      },
    ]);
    expect(Number(rows[0]?.unit_price)).toBe(gw.app.deps.gateway.pricing.unitPrice('accuauth', 'id_selfie'));
  });

  it('when a verdict carries the reference photo, then the photo is in no database row, no log line and not in the reply', async () => {
    const t = await tenant();
    logLines.length = 0;

    const res = await check(
      t.key,
      { customerId: t.customerId, nik: PHOTO_NIKS.match, selfie: SELFIE },
      { 'Idempotency-Key': `dk-${randomBytes(4).toString('hex')}` },
    );
    const reply = await res.text();
    const { verificationId, referencePhoto } = JSON.parse(reply);
    expect(referencePhoto).toBe('enrolled');

    // Fragments from the start, middle and end of the photo: any copy of it contains them.
    const fragments = [photo.slice(0, 64), photo.slice(photo.length / 2, photo.length / 2 + 64), photo.slice(-64)];
    const db = gw.app.deps.db;
    // The stored answer says a photo came, and nothing more.
    const { rows: verification } = await db.query<{ result: unknown }>('SELECT result FROM verifications WHERE id = $1', [verificationId]);
    const { rows: attempts } = await db.query<{ data: unknown }>('SELECT data FROM verification_attempts WHERE verification_id = $1', [
      verificationId,
    ]);
    expect(verification[0]?.result).toMatchObject({ resultCode: '01', referencePhoto: 'received' });
    expect(attempts.map((a) => a.data)).toEqual([verification[0]?.result]);

    const { rows: tables } = await db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    );
    let everything = '';
    for (const { table_name } of tables) {
      const { rows } = await db.query<{ row: string }>(`SELECT t::text AS row FROM "${table_name}" t`);
      everything += rows.map((r) => r.row).join('\n');
    }
    expect(everything).toContain(verificationId);
    const logs = logLines.join('');
    expect(logs).toContain('/v1/nik/dukcapil');
    for (const fragment of fragments) {
      expect(everything).not.toContain(fragment);
      expect(logs).not.toContain(fragment);
      expect(reply).not.toContain(fragment);
    }
  });

  it('when the same request is retried with its Idempotency-Key, then the same verdict is replayed and the registry is called once', async () => {
    const t = await tenant();
    const body = { customerId: t.customerId, nik: PHOTO_NIKS.match, selfie: SELFIE };
    const headers = { 'Idempotency-Key': `dk-${randomBytes(4).toString('hex')}` };
    // A copy: the simulator's counters are live objects.
    const callsOf = () => ({ calls: 0, charged: 0, ...gw.sims.accuauth.billing().scenarios['id_selfie:01'] });
    const before = callsOf();

    const first = await check(t.key, body, headers);
    const second = await check(t.key, body, headers);

    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const [a, b] = [await first.text(), await second.text()];
    expect(b).toBe(a);
    expect(callsOf()).toEqual({ calls: before.calls + 1, charged: before.charged + 1 });
    const { verificationId } = JSON.parse(a);
    expect(await ledgerOf(verificationId)).toHaveLength(1);
    const listed = await (await gw.app.request('GET', `/v1/customers/${t.customerId}/enrollments`, { key: t.key })).json();
    expect(listed.data).toHaveLength(1);
  });
});
