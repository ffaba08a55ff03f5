import { hmacKeyOf } from '../../src/tenancy/keys-repo';
import { newChallenge, signedBundle, submit, type EngineTenant, type ErrorJson } from '../engine/capture-client';
import { labLiveSelfie } from '../engine/fixtures/lab/classes';
import { faceScene, ktpScene, renderCapture, renderStatic } from '../engine/fixtures/synth';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { portraitJpeg, twoPeopleJpeg, VARIANTS } from './portraits';

const VALID_KTP = { nik: '3273051508900001', birthDate: '1990-08-15', sex: 'male' as const };
// Two people the detector finds in every portrait variant (see bench/face-match-rates.ts).
const ALICE = 's6f0';
const BOB = 's5f0';

interface MatchJson {
  id: string;
  object: string;
  similarity: number;
  matched: boolean;
  threshold: number;
  probe: { source: string; captureBundleId: string | null };
  perReference: Array<{ faceEnrollmentId: string | null; source: string; quality: number; similarity: number; matched: boolean }>;
}
interface EnrollmentJson {
  id: string;
  source: string;
  status: string;
  captureBundleId: string | null;
  quality: { score: number; issues: string[] };
  deactivatedReason: string | null;
}

const b64 = (b: Buffer) => b.toString('base64');

// Face detection runs in worker threads that load tfjs and the models on first use, and shares the machine with the rest of the suite.
jest.setTimeout(120_000);

describe('face enrollments and matches (seed 000 Match, DESIGN 9)', () => {
  let app: TestApp;
  let t: EngineTenant;
  /** A live selfie bundle of ALICE, and a spoofed one (the same still frame re-sent), both of t's customer. */
  let liveBundle: string;
  let spoofBundle: string;

  const tenant = async (): Promise<EngineTenant> => {
    const k = await app.tenant([
      'captures:write',
      'captures:view',
      'customers:write',
      'matches:write',
      'matches:view',
      'enrollments:write',
      'enrollments:view',
    ]);
    const hmacKey = (await hmacKeyOf(app.deps.db, app.deps.keys, k.orgId, k.keyId)) as string;
    const res = await app.request('POST', '/v1/customers', { key: k.key, body: { externalRef: `person-${Math.random()}` } });
    return { ...k, hmacKey, customerId: ((await res.json()) as { id: string }).id };
  };
  const selfie = async (who: EngineTenant, live: boolean): Promise<string> => {
    const scene = await faceScene(0, 240, 320, { face: ALICE });
    const c = await newChallenge(app, who, 'selfie');
    const frames = live ? await labLiveSelfie(ALICE, c.sequence, 5) : await renderStatic(scene, 8);
    const res = await submit(app, who, signedBundle(who, c, frames));
    const body = (await res.json()) as { id?: string; error?: { captureBundleId?: string } };
    const id = body.id ?? body.error?.captureBundleId;
    if (!id) throw new Error(`capture: ${res.status} ${JSON.stringify(body)}`);
    return id;
  };
  const match = (who: EngineTenant, body: Record<string, unknown>) =>
    app.request('POST', '/v1/matches', { key: who.key, body: { customerId: who.customerId, ...body } });
  const enroll = (who: EngineTenant, body: Record<string, unknown>, customerId = who.customerId) =>
    app.request('POST', `/v1/customers/${customerId}/enrollments`, { key: who.key, body });
  const errorOf = async (res: Response) => ((await res.json()) as ErrorJson).error;

  beforeAll(async () => {
    app = await startTestApp();
    t = await tenant();
    liveBundle = await selfie(t, true);
    spoofBundle = await selfie(t, false);
  });
  afterAll(async () => {
    await app?.close();
  });

  describe('seed 000 Match errors', () => {
    it('when neither captureBundleId nor liveImage is given, then 400 captureBundleId or liveImage required', async () => {
      const res = await match(t, { referenceImage: b64(await portraitJpeg(ALICE)) });
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toMatchObject({ code: 'probe_source_required', message: 'captureBundleId or liveImage required' });
    });

    it('when both captureBundleId and liveImage are given, then 400 captureBundleId or liveImage required', async () => {
      const res = await match(t, { captureBundleId: liveBundle, liveImage: b64(await portraitJpeg(ALICE)) });
      expect(res.status).toBe(400);
      expect((await errorOf(res)).message).toBe('captureBundleId or liveImage required');
    });

    it('when both faceEnrollmentId and referenceImage are given, then 400 at most one reference may be provided', async () => {
      const res = await match(t, { captureBundleId: liveBundle, faceEnrollmentId: 'enr_x', referenceImage: b64(await portraitJpeg(ALICE)) });
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toMatchObject({ code: 'too_many_references', message: 'at most one reference may be provided' });
    });

    it('when the bundle id is unknown, then 404 capture bundle not found or expired', async () => {
      const res = await match(t, { captureBundleId: 'cap_doesnotexist00000000' });
      expect(res.status).toBe(404);
      expect(await errorOf(res)).toMatchObject({ code: 'capture_bundle_not_found', message: 'capture bundle not found or expired' });
    });

    it("when the bundle is another org's, then 404 capture bundle not found or expired", async () => {
      const other = await tenant();
      const res = await match(other, { captureBundleId: liveBundle, referenceImage: b64(await portraitJpeg(ALICE)) });
      expect(res.status).toBe(404);
      expect((await errorOf(res)).message).toBe('capture bundle not found or expired');
    });

    it("when the bundle is another customer's of the same org, then 404 capture bundle not found or expired", async () => {
      const res = await app.request('POST', '/v1/customers', { key: t.key, body: { externalRef: 'someone-else' } });
      const otherCustomer = ((await res.json()) as { id: string }).id;
      const m = await match({ ...t, customerId: otherCustomer }, { captureBundleId: liveBundle, referenceImage: b64(await portraitJpeg(ALICE)) });
      expect(m.status).toBe(404);
      expect((await errorOf(m)).message).toBe('capture bundle not found or expired');
    });

    it('when the customer has no enrollments and no reference is given, then 422 no active enrollments for customer', async () => {
      const res = await match(t, { captureBundleId: liveBundle });
      expect(res.status).toBe(422);
      expect(await errorOf(res)).toMatchObject({ code: 'no_active_enrollments', message: 'no active enrollments for customer' });
    });

    it('when the bundle failed liveness, then 422 bundle liveness verdict not passed', async () => {
      const res = await match(t, { captureBundleId: spoofBundle, referenceImage: b64(await portraitJpeg(ALICE)) });
      expect(res.status).toBe(422);
      expect(await errorOf(res)).toMatchObject({ code: 'bundle_liveness_not_passed', message: 'bundle liveness verdict not passed' });
    });

    it('when the bundle has been retention-swept, then 404 capture bundle not found or expired', async () => {
      const who = await tenant();
      const bundle = await selfie(who, true);
      app.advance(31 * 86_400_000);
      try {
        const res = await match(who, { captureBundleId: bundle, referenceImage: b64(await portraitJpeg(ALICE)) });
        expect(res.status).toBe(404);
        expect((await errorOf(res)).message).toBe('capture bundle not found or expired');
      } finally {
        app.advance(-31 * 86_400_000);
      }
    });
  });

  describe('matching', () => {
    it('when a live bundle is matched with a portrait of the same person, then 201 matched, and GET returns the match', async () => {
      const res = await match(t, { captureBundleId: liveBundle, referenceImage: b64(await portraitJpeg(ALICE, VARIANTS[1])) });
      expect(res.status).toBe(201);
      const body = (await res.json()) as MatchJson;
      expect(body).toMatchObject({ object: 'face_match', matched: true, probe: { source: 'capture_bundle', captureBundleId: liveBundle } });
      expect(body.id).toMatch(/^mat_/);
      expect(body.similarity).toBeGreaterThanOrEqual(body.threshold);
      expect(body.perReference).toEqual([expect.objectContaining({ faceEnrollmentId: null, source: 'reference_image', matched: true })]);
      const again = await app.request('GET', `/v1/matches/${body.id}`, { key: t.key });
      expect(await again.json()).toMatchObject({ id: body.id, similarity: body.similarity, matched: true });
    });

    it('when a live image is matched with a portrait of another person, then 201 not matched', async () => {
      const res = await match(t, { liveImage: b64(await portraitJpeg(ALICE)), referenceImage: b64(await portraitJpeg(BOB)) });
      expect(res.status).toBe(201);
      const body = (await res.json()) as MatchJson;
      expect(body).toMatchObject({ matched: false, probe: { source: 'live_image', captureBundleId: null } });
      expect(body.similarity).toBeLessThan(body.threshold);
    });

    it('when the live image holds no face, then 422 no face found in liveImage', async () => {
      const blank = await (await import('sharp')).default({ create: { width: 200, height: 200, channels: 3, background: '#7a8' } }).jpeg().toBuffer();
      const res = await match(t, { liveImage: b64(blank), referenceImage: b64(await portraitJpeg(ALICE)) });
      expect(res.status).toBe(422);
      expect(await errorOf(res)).toMatchObject({ code: 'face_not_found', message: 'no face found in liveImage', param: 'liveImage' });
    });

    it('when the live image is not an image, then 400 naming liveImage', async () => {
      const res = await match(t, { liveImage: b64(Buffer.from('not an image at all')), referenceImage: b64(await portraitJpeg(ALICE)) });
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toMatchObject({ code: 'invalid_request', param: 'liveImage' });
    });

    it('when matched against the pool, then perReference lists every active enrollment and only the same person matches', async () => {
      const who = await tenant();
      const mine = (await (await enroll(who, { image: b64(await portraitJpeg(ALICE, VARIANTS[2])) })).json()) as EnrollmentJson;
      const wrong = (await (await enroll(who, { image: b64(await portraitJpeg(BOB)) })).json()) as EnrollmentJson;
      const res = await match(who, { liveImage: b64(await portraitJpeg(ALICE, VARIANTS[3])) });
      expect(res.status).toBe(201);
      const body = (await res.json()) as MatchJson;
      const byId = Object.fromEntries(body.perReference.map((r) => [r.faceEnrollmentId, r]));
      expect(byId[mine.id]).toMatchObject({ source: 'upload', matched: true });
      expect(byId[wrong.id]).toMatchObject({ source: 'upload', matched: false });
      expect(body.matched).toBe(true);
      expect(body.similarity).toBe(byId[mine.id]?.similarity);
    });
  });

  describe('enrollments', () => {
    it('when a passed KTP capture arrives, then its portrait becomes an active ktp_extract enrollment', async () => {
      const who = await tenant();
      const card = await ktpScene(0, 360, 227, { face: ALICE });
      const c = await newChallenge(app, who, 'ktp');
      const res = await submit(app, who, signedBundle(who, c, await renderCapture(card, c.sequence, 6, { seed: 2 }), VALID_KTP));
      expect(res.status).toBe(201);
      const capture = (await res.json()) as { id: string; face: { found: boolean } };
      expect(capture.face.found).toBe(true);
      const list = await app.request('GET', `/v1/customers/${who.customerId}/enrollments`, { key: who.key });
      const enrollments = ((await list.json()) as { data: EnrollmentJson[] }).data;
      expect(enrollments).toEqual([expect.objectContaining({ source: 'ktp_extract', status: 'active', captureBundleId: capture.id })]);
    });

    it('when a live selfie bundle is enrolled twice, then one selfie_capture enrollment exists (201 then 200)', async () => {
      const who = await tenant();
      const bundle = await selfie(who, true);
      const first = await enroll(who, { captureBundleId: bundle });
      const second = await enroll(who, { captureBundleId: bundle });
      expect([first.status, second.status]).toEqual([201, 200]);
      const a = (await first.json()) as EnrollmentJson;
      expect(a).toMatchObject({ source: 'selfie_capture', status: 'active', captureBundleId: bundle });
      expect(((await second.json()) as EnrollmentJson).id).toBe(a.id);
    });

    it('when a spoofed bundle is enrolled, then 422 bundle liveness verdict not passed', async () => {
      const res = await enroll(t, { captureBundleId: spoofBundle });
      expect(res.status).toBe(422);
      expect((await errorOf(res)).message).toBe('bundle liveness verdict not passed');
    });

    it('when the image shows two people, then 422 face quality too low, naming several_faces', async () => {
      const res = await enroll(t, { image: b64(await twoPeopleJpeg(ALICE, BOB)) });
      expect(res.status).toBe(422);
      expect(await errorOf(res)).toMatchObject({ code: 'face_quality_too_low', message: expect.stringContaining('several_faces') });
    });

    it('when the only enrollment is deactivated, then matching the pool answers 422 no active enrollments, and naming it answers 409', async () => {
      const who = await tenant();
      const e = (await (await enroll(who, { image: b64(await portraitJpeg(ALICE)) })).json()) as EnrollmentJson;
      const off = await app.request('POST', `/v1/enrollments/${e.id}/deactivate`, { key: who.key, body: { reason: 'customer asked' } });
      expect(off.status).toBe(200);
      expect(await off.json()).toMatchObject({ status: 'inactive', deactivatedReason: 'customer asked' });
      const pool = await match(who, { liveImage: b64(await portraitJpeg(ALICE)) });
      expect(pool.status).toBe(422);
      expect((await errorOf(pool)).message).toBe('no active enrollments for customer');
      const named = await match(who, { liveImage: b64(await portraitJpeg(ALICE)), faceEnrollmentId: e.id });
      expect(named.status).toBe(409);
      expect((await errorOf(named)).code).toBe('enrollment_inactive');
    });

    it("when another org's enrollment is named, then 404", async () => {
      const who = await tenant();
      const e = (await (await enroll(who, { image: b64(await portraitJpeg(ALICE)) })).json()) as EnrollmentJson;
      const other = await tenant();
      expect((await app.request('GET', `/v1/enrollments/${e.id}`, { key: other.key })).status).toBe(404);
      const res = await match(other, { liveImage: b64(await portraitJpeg(ALICE)), faceEnrollmentId: e.id });
      expect(res.status).toBe(404);
    });

    it('when the key lacks matches:write, then 401 missing scope: matches:write', async () => {
      const k = await app.tenant(['captures:view']);
      const res = await app.request('POST', '/v1/matches', { key: k.key, body: { customerId: t.customerId, captureBundleId: liveBundle } });
      expect(res.status).toBe(401);
      expect((await errorOf(res)).message).toBe('missing scope: matches:write');
    });
  });
});
