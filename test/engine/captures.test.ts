import { labLiveSelfie } from './fixtures/lab/classes';
import { faceScene, ktpScene, renderCapture, renderStatic, type Scene } from './fixtures/synth';
import { engineTenant, newChallenge, signedBundle, submit, type EngineTenant, type ErrorJson } from './capture-client';
import { startTestApp, type TestApp } from '../helpers/test-app';

const VALID_KTP = { nik: '3273051508900001', birthDate: '1990-08-15', sex: 'male' as const };
// A frontal sample person the face detector finds in the selfie and on the card (see fixtures/sample-faces.json).
const PERSON = { face: 's6f0' };
let FACE: Scene;
let CARD: Scene;

describe('captures (seed 000 verification errors, DESIGN 9)', () => {
  let app: TestApp;
  let t: EngineTenant;

  beforeAll(async () => {
    [FACE, CARD] = await Promise.all([faceScene(3, 240, 320, PERSON), ktpScene(3, 360, 227, PERSON)]);
    app = await startTestApp();
    t = await engineTenant(app);
  });
  afterAll(async () => {
    await app?.close();
  });

  // A realistic genuine selfie (the capture lab's camera and room), as the engine's bands were fitted on.
  const liveFrames = (sequence: Parameters<typeof renderCapture>[1]) => labLiveSelfie(PERSON.face, sequence, 5);
  const errorOf = async (res: Response) => ((await res.json()) as ErrorJson).error;

  describe('POST /v1/flash-challenges', () => {
    it('when a challenge is requested, then it carries a chl_ id, a 24-byte base64url nonce, 8 saturated colours and a 60 s expiry', async () => {
      const before = Date.now();
      const c = await newChallenge(app, t, 'selfie');
      expect(c.id).toMatch(/^chl_\w{20}$/);
      expect(Buffer.from(c.nonce, 'base64url')).toHaveLength(24);
      expect(c.sequence).toHaveLength(8);
      for (const colour of c.sequence) expect([colour.r, colour.g, colour.b].every((v) => v === 0 || v === 255)).toBe(true);
      const ttl = Date.parse(c.expiresAt) - before;
      expect(ttl).toBeGreaterThan(59_000);
      expect(ttl).toBeLessThanOrEqual(61_000);
    });

    it('when the customer belongs to another org, then 404 customer not found', async () => {
      const other = await engineTenant(app);
      const res = await app.request('POST', '/v1/flash-challenges', { key: t.key, body: { customerId: other.customerId, kind: 'selfie' } });
      expect(res.status).toBe(404);
      expect(await errorOf(res)).toMatchObject({ code: 'resource_not_found', message: 'customer not found', param: 'customerId' });
    });
  });

  describe('timed challenges (version 2)', () => {
    const midpoints = (c: { schedule: Array<{ startMs: number; endMs: number }> | null }) =>
      (c.schedule ?? []).map((w) => Math.round((w.startMs + w.endMs) / 2));

    it('when version 2 is asked for, then 8 colours of the twelve hues come with back-to-back windows of 300-700 ms from 0', async () => {
      const c = await newChallenge(app, t, 'selfie', 2);
      expect(c.version).toBe(2);
      expect(c.sequence).toHaveLength(8);
      for (const colour of c.sequence) expect([colour.r, colour.g, colour.b].every((v) => [0, 128, 255].includes(v))).toBe(true);
      expect(c.schedule).toHaveLength(8);
      let at = 0;
      for (const w of c.schedule ?? []) {
        expect(w.startMs).toBe(at);
        expect(w.endMs - w.startMs).toBeGreaterThanOrEqual(300);
        expect(w.endMs - w.startMs).toBeLessThanOrEqual(700);
        at = w.endMs;
      }
      const untimed = await newChallenge(app, t, 'selfie');
      expect(untimed).toMatchObject({ version: 1, schedule: null });
    });

    it('when an unknown version is asked for, then 400 invalid request on version', async () => {
      const res = await app.request('POST', '/v1/flash-challenges', {
        key: t.key,
        body: { customerId: t.customerId, kind: 'selfie', version: 3 },
      });
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toMatchObject({ code: 'invalid_request', param: 'version' });
    });

    it('when live frames answer a timed challenge, each taken inside its colour window, then 201 passed', async () => {
      const c = await newChallenge(app, t, 'selfie', 2);
      const res = await submit(app, t, signedBundle(t, c, await liveFrames(c.sequence), undefined, midpoints(c)));
      const body = (await res.json()) as { status: string; antiSpoof: { voters: Array<{ name: string; verdict: string }> } };
      expect(res.status).toBe(201);
      expect(body.status).toBe('passed');
    });

    it('when a frame was taken before its colour settled, then 400 invalid request naming the frame, and the challenge stays usable', async () => {
      const c = await newChallenge(app, t, 'selfie', 2);
      const frames = await liveFrames(c.sequence);
      const early = midpoints(c);
      early[3] = (c.schedule?.[3]?.startMs ?? 0) + 20;
      const res = await submit(app, t, signedBundle(t, c, frames, undefined, early));
      expect(res.status).toBe(400);
      const error = await errorOf(res);
      expect(error).toMatchObject({ code: 'invalid_request', param: 'frameTimes.3' });
      expect(error.message).toContain("outside its colour's window");
      expect((await submit(app, t, signedBundle(t, c, frames, undefined, midpoints(c)))).status).toBe(201);
    });

    it('when a timed challenge is answered without frame times, or with a frame missing, then 400 invalid request on frameTimes or frames', async () => {
      const c = await newChallenge(app, t, 'selfie', 2);
      const frames = await liveFrames(c.sequence);
      const untimed = await submit(app, t, signedBundle(t, c, frames));
      expect(await errorOf(untimed)).toMatchObject({ status: 400, code: 'invalid_request', param: 'frameTimes' });
      const short = await submit(app, t, signedBundle(t, c, frames.slice(0, 7), undefined, midpoints(c).slice(0, 7)));
      expect(await errorOf(short)).toMatchObject({ status: 400, code: 'invalid_request', param: 'frames' });
    });

    it('when frame times come with an untimed challenge, then 400 invalid request on frameTimes', async () => {
      const c = await newChallenge(app, t, 'selfie');
      const res = await submit(
        app,
        t,
        signedBundle(t, c, await liveFrames(c.sequence), undefined, [100, 200, 300, 400, 500, 600, 700, 800]),
      );
      expect(await errorOf(res)).toMatchObject({ status: 400, code: 'invalid_request', param: 'frameTimes' });
    });
  });

  describe('POST /v1/captures', () => {
    it('when live frames follow the issued sequence, then 201 passed with every voter passing, and GET returns the bundle', async () => {
      const c = await newChallenge(app, t, 'selfie');
      const res = await submit(app, t, signedBundle(t, c, await liveFrames(c.sequence)));
      const body = (await res.json()) as {
        id: string;
        status: string;
        antiSpoof: { fused: string; voters: Array<{ name: string; verdict: string }> };
        face: { found: boolean };
      };
      expect(res.status).toBe(201);
      expect(body.id).toMatch(/^cap_/);
      expect(body.status).toBe('passed');
      expect(body.antiSpoof.fused).toBe('live');
      expect(body.antiSpoof.voters.map((v) => [v.name, v.verdict])).toEqual([
        ['flash_reflectance', 'pass'],
        ['frame_consistency', 'pass'],
        ['screen_replay', 'pass'],
        ['flash_relief', 'pass'],
        ['corneal_reflection', 'pass'],
        ['single_face', 'pass'],
      ]);
      expect(body.face.found).toBe(true);
      const got = await app.request('GET', `/v1/captures/${body.id}`, { key: t.key });
      expect(got.status).toBe(200);
      expect(await got.json()).toEqual(body);
    });

    it('when another org asks for the capture, then 404', async () => {
      const c = await newChallenge(app, t, 'selfie');
      const res = await submit(app, t, signedBundle(t, c, await liveFrames(c.sequence)));
      const { id } = (await res.json()) as { id: string };
      const other = await engineTenant(app);
      const got = await app.request('GET', `/v1/captures/${id}`, { key: other.key });
      expect(got.status).toBe(404);
      expect((await errorOf(got)).message).toBe('capture not found');
    });

    it('when the bundle has no frames, then 400 frames empty or too large', async () => {
      const c = await newChallenge(app, t, 'selfie');
      const res = await submit(app, t, signedBundle(t, c, []));
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toMatchObject({ code: 'frames_invalid', message: 'frames empty or too large' });
    });

    it('when a frame is over 12 MB of base64, then 400 frames empty or too large', async () => {
      const c = await newChallenge(app, t, 'selfie');
      const res = await submit(app, t, signedBundle(t, c, ['A'.repeat(12 * 1024 * 1024 + 4)]));
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toMatchObject({ code: 'frames_invalid', message: 'frames empty or too large' });
    });

    it('when one byte of a frame is changed after signing, then 400 bundle signature invalid', async () => {
      const c = await newChallenge(app, t, 'selfie');
      const bundle = signedBundle(t, c, await liveFrames(c.sequence));
      const frames = bundle.frames as string[];
      const first = frames[0] as string;
      frames[0] = `${first.slice(0, 10)}${first[10] === 'A' ? 'B' : 'A'}${first.slice(11)}`;
      const res = await submit(app, t, bundle);
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toMatchObject({ code: 'bundle_signature_invalid', message: 'bundle signature invalid' });
    });

    it('when the signature is of the wrong length, then 400 bundle signature invalid (no crash in the comparison)', async () => {
      const c = await newChallenge(app, t, 'selfie');
      const res = await submit(app, t, { ...signedBundle(t, c, await liveFrames(c.sequence)), signature: 'abc' });
      expect(res.status).toBe(400);
      expect((await errorOf(res)).message).toBe('bundle signature invalid');
    });

    it('when the nonce was never issued for this customer, then 400 flash challenge nonce mismatch', async () => {
      const c = await newChallenge(app, t, 'selfie');
      const res = await submit(app, t, signedBundle(t, { ...c, nonce: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }, await liveFrames(c.sequence)));
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toMatchObject({ code: 'flash_challenge_nonce_mismatch', message: 'flash challenge nonce mismatch' });
    });

    it('when the challenge was issued for the other capture kind, then 400 flash challenge nonce mismatch', async () => {
      const c = await newChallenge(app, t, 'ktp');
      const res = await submit(app, t, signedBundle(t, { ...c, kind: 'selfie' }, await liveFrames(c.sequence)));
      expect(res.status).toBe(400);
      expect((await errorOf(res)).message).toBe('flash challenge nonce mismatch');
    });

    it('when the TTL has passed on the app clock, then 400 flash challenge expired', async () => {
      const c = await newChallenge(app, t, 'selfie');
      const frames = await liveFrames(c.sequence);
      app.advance(61_000);
      const res = await submit(app, t, signedBundle(t, c, frames));
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toMatchObject({ code: 'flash_challenge_expired', message: 'flash challenge expired' });
    });

    it('when a second bundle answers a used challenge, then 400 flash challenge already consumed', async () => {
      const c = await newChallenge(app, t, 'selfie');
      const frames = await liveFrames(c.sequence);
      expect((await submit(app, t, signedBundle(t, c, frames))).status).toBe(201);
      const res = await submit(app, t, signedBundle(t, c, frames));
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toMatchObject({ code: 'flash_challenge_consumed', message: 'flash challenge already consumed' });
    });

    it('when the same signed bundle is sent again, then 409 replay detected carrying the original response', async () => {
      const c = await newChallenge(app, t, 'selfie');
      const bundle = signedBundle(t, c, await liveFrames(c.sequence));
      const first = await submit(app, t, bundle);
      const original = await first.json();
      const again = await submit(app, t, bundle);
      expect(again.status).toBe(409);
      const error = await errorOf(again);
      expect(error).toMatchObject({ code: 'replay_detected', message: 'replay detected' });
      expect(error.originalResponse).toEqual({ status: 201, body: original });
    });

    it('when Redis has forgotten the bundle, then the stored bundle still answers 409 replay detected with the original response', async () => {
      const c = await newChallenge(app, t, 'selfie');
      const bundle = signedBundle(t, c, await liveFrames(c.sequence));
      const original = await (await submit(app, t, bundle)).json();
      const keys = await app.deps.redis.keys(`verigate:replay:${t.orgId}:*`);
      await app.deps.redis.del(...keys);
      const again = await submit(app, t, bundle);
      expect(again.status).toBe(409);
      expect((await errorOf(again)).originalResponse).toEqual({ status: 201, body: original });
    });

    it('when a re-shown static photo is captured, then 422 liveness verdict failed and the persisted bundle id is returned', async () => {
      const c = await newChallenge(app, t, 'selfie');
      const res = await submit(app, t, signedBundle(t, c, await renderStatic(FACE, 8, { seed: 5 })));
      expect(res.status).toBe(422);
      const error = await errorOf(res);
      expect(error).toMatchObject({ code: 'liveness_failed', message: 'liveness verdict failed' });
      expect(error.captureBundleId).toMatch(/^cap_/);
      const stored = await app.request('GET', `/v1/captures/${error.captureBundleId as string}`, { key: t.key });
      expect(stored.status).toBe(200);
      expect(await stored.json()).toMatchObject({ status: 'failed', antiSpoof: { fused: 'spoof' } });
    });

    it('when a live KTP card states a NIK that does not fit its birth date, then 422 tamper verdict failed with the bundle id', async () => {
      const c = await newChallenge(app, t, 'ktp');
      const frames = await renderCapture(CARD, c.sequence, 8, { seed: 5 });
      const res = await submit(app, t, signedBundle(t, c, frames, { ...VALID_KTP, birthDate: '1990-08-16' }));
      expect(res.status).toBe(422);
      const error = await errorOf(res);
      expect(error).toMatchObject({ code: 'tamper_failed', message: 'tamper verdict failed' });
      expect(error.captureBundleId).toMatch(/^cap_/);
      expect(error.tamper).toMatchObject({ fused: 'fail' });
    });

    it('when a genuine KTP card with a valid NIK is captured, then 201 passed with tamper pass', async () => {
      const c = await newChallenge(app, t, 'ktp');
      const frames = await renderCapture(CARD, c.sequence, 8, { seed: 5 });
      const res = await submit(app, t, signedBundle(t, c, frames, VALID_KTP));
      const body = (await res.json()) as { status: string; tamper: { fused: string; voters: Array<{ name: string }> } };
      expect(res.status).toBe(201);
      expect(body.status).toBe('passed');
      expect(body.tamper.fused).toBe('pass');
      // The customer's selfie passed earlier in this suite, so the portrait is compared with it too.
      expect(body.tamper.voters.map((v) => v.name)).toEqual([
        'nik_checksum',
        'nik_on_card',
        'photocopy_greyscale',
        'hologram_check',
        'face_on_card',
        'portrait_matches_selfie',
      ]);
    });

    it('when a single frame cannot show the flash response, then 201 requires_review', async () => {
      const c = await newChallenge(app, t, 'selfie');
      const frames = await liveFrames(c.sequence);
      const res = await submit(app, t, signedBundle(t, c, frames.slice(0, 1)));
      expect(res.status).toBe(201);
      expect(await res.json()).toMatchObject({ status: 'requires_review', antiSpoof: { fused: 'uncertain' } });
    });

    it('when a frame is not an image, then 400 invalid request naming the frame', async () => {
      const c = await newChallenge(app, t, 'selfie');
      const res = await submit(app, t, signedBundle(t, c, [Buffer.from('not an image at all')]));
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toMatchObject({ code: 'invalid_request', param: 'frames.0' });
    });

    it('when two captures race for one nonce, then exactly one wins and the other is told the challenge is consumed', async () => {
      const c = await newChallenge(app, t, 'selfie');
      const frames = await liveFrames(c.sequence);
      const results = await Promise.all([submit(app, t, signedBundle(t, c, frames)), submit(app, t, signedBundle(t, c, frames))]);
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([201, 400]);
      const loser = results.find((r) => r.status === 400) as Response;
      expect((await errorOf(loser)).message).toBe('flash challenge already consumed');
      const { rows } = await app.deps.db.query<{ n: number }>('SELECT count(*)::int AS n FROM capture_bundles WHERE challenge_id = $1', [
        c.id,
      ]);
      expect(rows[0]?.n).toBe(1);
    });

    it('when a key sends a 21st KTP capture within a minute, then 429 rate limit exceeded: ktp.capture', async () => {
      const own = await engineTenant(app);
      const c = await newChallenge(app, own, 'ktp');
      // Empty bundles: each takes a slot before it is refused, so the limit is reached cheaply.
      for (let i = 0; i < 20; i++) expect((await submit(app, own, signedBundle(own, c, [], VALID_KTP))).status).toBe(400);
      const res = await submit(app, own, signedBundle(own, c, [], VALID_KTP));
      expect(res.status).toBe(429);
      expect(await errorOf(res)).toMatchObject({ code: 'rate_limited', message: 'rate limit exceeded: ktp.capture' });
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      // Selfies are limited separately.
      const selfie = await newChallenge(app, own, 'selfie');
      expect((await submit(app, own, signedBundle(own, selfie, []))).status).toBe(400);
    });
  });
});
