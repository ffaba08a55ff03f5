import axios from 'axios';
import nock from 'nock';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkIdName, verifyIdName, verifyIdSelfie, withReferencePhotoSink } from '../../../adapters/accuauth';
import { ACCUAUTH_SANDBOX, accuauthSimulator } from '../../../adapters/accuauth/simulator';
import { listen, type RunningSimulator, type SimulatorState } from '../../../adapters/simulator-kit';
import type { AdapterOutcome, CallContext } from '../../../adapters/types';
import { ERROR_MAP_DIR, loadErrorMap, resolveCharge } from '../../../src/gateway/error-map';

// Only AccuAuth's table: other vendors' files may be mid-edit.
const mapDir = mkdtempSync(path.join(tmpdir(), 'accuauth-map-'));
copyFileSync(path.join(ERROR_MAP_DIR, 'accuauth.json'), path.join(mapDir, 'accuauth.json'));
const errorMap = loadErrorMap(mapDir);

const SELFIE = Buffer.alloc(2048, 3).toString('base64');
const NAME = 'Budi Santoso';
const { results: RESULT_NIKS, httpErrors: ERROR_NIKS } = ACCUAUTH_SANDBOX;
const nikFor = (code: string) => RESULT_NIKS[code] as string;

let sim: RunningSimulator;
let state: SimulatorState;
const ctx = (over: Partial<CallContext> = {}): CallContext => ({ baseUrl: sim.url, credentials: { ...ACCUAUTH_SANDBOX.credentials }, timeoutMs: 2000, ...over });

type Operation = 'id_selfie' | 'id_name' | 'id_name_check';
const call = (op: Operation, nik: string, c: CallContext = ctx()): Promise<AdapterOutcome> =>
  op === 'id_selfie'
    ? verifyIdSelfie(c, { idNumber: nik, faceImage: SELFIE, name: NAME, birthDate: '1987-12-10' })
    : op === 'id_name'
      ? verifyIdName(c, { idNumber: nik, name: NAME })
      : checkIdName(c, { idNumber: nik, name: NAME });
const suiteCodeOf = (op: Operation, outcome: AdapterOutcome) => errorMap.classify('accuauth', op, outcome.facts).row.suiteCode;

beforeAll(async () => {
  const simulator = accuauthSimulator();
  state = simulator.state;
  sim = await listen(simulator.app);
});
afterEach(() => state?.reset());
afterAll(async () => {
  await sim?.close();
  rmSync(mapDir, { recursive: true, force: true });
});
// test/setup-env.ts activates nock in every test file and nothing restores it: left active, this file's
// interceptor would answer the next test file's requests in the same worker and hide that file's mocks.
afterAll(() => nock.restore());


describe('AccuAuth simulator scenarios', () => {
  it.each([
    ['01', 'identity_match'],
    ['02', 'identity_mismatch'],
    ['03', 'identity_not_found'],
    ['04', 'provider_check_failed'],
    ['05', 'identity_not_found'],
    ['06', 'provider_unavailable'],
    ['07', 'provider_rate_limited'],
    ['08', 'no_face_detected'],
  ])('when id_selfie is sent the NIK ending %s, then the vendor answers that result and the table maps it to %s', async (code, suiteCode) => {
    const outcome = await call('id_selfie', nikFor(code));

    expect(outcome.facts).toMatchObject({ httpStatus: 200, code: 'OK', result: code });
    expect(outcome.facts.requestId).toMatch(/^SFBw\d{19}$/);
    expect(suiteCodeOf('id_selfie', outcome)).toBe(suiteCode);
  });

  it('when id_selfie matches, then face, name and birth date all match and the score is high', async () => {
    const outcome = await call('id_selfie', nikFor('01'));

    expect(outcome.data).toMatchObject({ resultCode: '01', faceMatch: true, nameMatch: true, birthDateMatch: true, ktpFaceMatch: false, ktpFaceScore: 0 });
    expect((outcome.data as { faceScore: number }).faceScore).toBeGreaterThan(80);
    expect((outcome.data as { handledAt: string }).handledAt).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });

  it('when id_selfie mismatches, then it answers like the seed sample (remark UNSAME, score 53.3)', async () => {
    const outcome = await call('id_selfie', nikFor('02'));

    expect(outcome.data).toMatchObject({ resultCode: '02', remark: 'UNSAME', faceMatch: false, faceScore: 53.3, nameMatch: false, birthDateMatch: false });
  });

  it('when a NIK has no magic suffix, then id_selfie and id_name answer 01 and id_name_check scores 1.0', async () => {
    expect((await call('id_selfie', ACCUAUTH_SANDBOX.plain)).facts.result).toBe('01');
    expect((await call('id_name', ACCUAUTH_SANDBOX.plain)).facts.result).toBe('01');
    expect((await call('id_name_check', ACCUAUTH_SANDBOX.plain)).data).toEqual({ namePercent: 1 });
  });

  it.each([
    ['match', '01', true],
    ['mismatch', '02', false],
  ] as const)(
    'when id_selfie is sent the reference-photo NIK for a %s, then the photo goes to the sink only and the result is %s',
    async (which, code, match) => {
      const photos: string[] = [];
      const outcome = await withReferencePhotoSink(
        (p) => photos.push(p),
        () => verifyIdSelfie(ctx(), { idNumber: ACCUAUTH_SANDBOX.referencePhoto[which], faceImage: SELFIE }),
      );

      expect(outcome.facts).toMatchObject({ httpStatus: 200, code: 'OK', result: code });
      expect(outcome.data).toMatchObject({ resultCode: code, faceMatch: match, referencePhoto: 'received' });
      expect(JSON.stringify(outcome.data)).not.toContain('registry_photo');
      expect(photos).toHaveLength(1);
      // A JPEG (FF D8 FF), small like a registry portrait.
      const jpeg = Buffer.from(photos[0] as string, 'base64');
      expect(jpeg.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
      expect(jpeg.length).toBeLessThan(64 * 1024);
      expect(JSON.stringify(outcome.data)).not.toContain((photos[0] as string).slice(0, 32));
    },
  );

  it('when a NIK with no photo suffix is sent, then the answer carries no reference photo', async () => {
    const photos: string[] = [];
    const outcome = await withReferencePhotoSink(
      (p) => photos.push(p),
      () => verifyIdSelfie(ctx(), { idNumber: nikFor('01'), faceImage: SELFIE }),
    );

    expect(outcome.data?.referencePhoto).toBeUndefined();
    expect(photos).toEqual([]);
  });

  it('when id_name is sent a reference-photo NIK, then it answers 01 like any other NIK', async () => {
    expect((await call('id_name', ACCUAUTH_SANDBOX.referencePhoto.mismatch)).facts.result).toBe('01');
  });

  it.each([
    ['01', 'SAME', 'identity_match'],
    ['02', 'UNSAME', 'identity_mismatch'],
    ['03', 'UNKNOW', 'identity_inconclusive'],
    ['04', 'FAILED', 'provider_check_failed'],
  ])('when id_name is sent the NIK ending %s, then it answers remark %s and the table maps it to %s', async (code, remark, suiteCode) => {
    const outcome = await call('id_name', nikFor(code));

    expect(outcome.facts).toMatchObject({ httpStatus: 200, code: 'OK', result: code });
    expect(outcome.data).toMatchObject({ resultCode: code, remark });
    expect(suiteCodeOf('id_name', outcome)).toBe(suiteCode);
  });

  it('when id_name_check is sent the NIK ending 02, then it scores low and the table maps it to name_check_scored', async () => {
    const outcome = await call('id_name_check', nikFor('02'));

    expect(outcome.facts).toMatchObject({ httpStatus: 200, code: 'OK' });
    expect(outcome.facts.requestId).toMatch(/^TID[0-9a-f]{32}$/);
    expect(outcome.data).toEqual({ namePercent: ACCUAUTH_SANDBOX.lowNamePercent });
    expect(suiteCodeOf('id_name_check', outcome)).toBe('name_check_scored');
  });

  it('when id_name_check is sent the NIK ending 05, then the query fails with 400 QUERY_FAILED', async () => {
    const outcome = await call('id_name_check', nikFor('05'));

    expect(outcome.facts).toMatchObject({ httpStatus: 400, code: 'QUERY_FAILED' });
  });

  const errorCases = (['id_selfie', 'id_name', 'id_name_check'] as const).flatMap((op) => Object.entries(ERROR_NIKS).map(([code, nik]) => [op, code, nik] as const));
  it.each(errorCases)('when %s is sent the NIK for %s, then the vendor answers that error envelope', async (op, code, nik) => {
    const outcome = await call(op, nik);

    expect(outcome.facts.code).toBe(code);
    expect(outcome.facts.requestId).toMatch(/^TID[0-9a-f]{32}$/);
    expect(errorMap.classify('accuauth', op, outcome.facts).unmapped).toBe(false);
  });
});

describe('AccuAuth simulator auth and validation', () => {
  it('when the secret is wrong, then it answers 401 UNAUTHORIZED and the table flags the credentials', async () => {
    const outcome = await call('id_selfie', nikFor('01'), ctx({ credentials: { apiId: ACCUAUTH_SANDBOX.credentials.apiId, apiSecret: 'wrong' } }));

    expect(outcome.facts).toMatchObject({ httpStatus: 401, code: 'UNAUTHORIZED', message: 'Unauthorized or access is denied' });
    expect(errorMap.classify('accuauth', 'id_selfie', outcome.facts).row.accountHealth).toBe('credentials_rejected');
  });

  it('when the simulator is built with other keys, then the sandbox keys are refused', async () => {
    const other = await listen(accuauthSimulator({ apiId: 'live-id', apiSecret: 'live-secret' }).app);
    try {
      const refused = await call('id_name', nikFor('01'), ctx({ baseUrl: other.url }));
      const accepted = await call('id_name', nikFor('01'), ctx({ baseUrl: other.url, credentials: { apiId: 'live-id', apiSecret: 'live-secret' } }));

      expect(refused.facts.code).toBe('UNAUTHORIZED');
      expect(accepted.facts.code).toBe('OK');
    } finally {
      await other.close();
    }
  });

  it('when the NIK is not 16 digits, then it answers 400 INVALID_ARGUMENT naming id_number', async () => {
    const outcome = await call('id_name', '12345');

    expect(outcome.facts).toMatchObject({ httpStatus: 400, code: 'INVALID_ARGUMENT', message: "argument 'id_number': invalid format" });
    expect(suiteCodeOf('id_name', outcome)).toBe('invalid_request');
  });

  it.each([
    ['/verify/id_selfie', { face_image: SELFIE }, "argument 'id_number': not found"],
    ['/verify/id_selfie', { id_number: nikFor('01') }, "argument 'face_image': not found"],
    ['/verify/id_selfie', { id_number: nikFor('01'), face_image: 'not base64!' }, "argument 'face_image': invalid base64"],
    ['/verify/id_selfie', { id_number: nikFor('01'), face_image: Buffer.alloc(50 * 1024 + 1).toString('base64') }, "argument 'face_image': image size exceeds 50KB"],
    ['/verify/id_selfie', { id_number: nikFor('01'), face_image: SELFIE, ktp_image: Buffer.alloc(51 * 1024).toString('base64') }, "argument 'ktp_image': image size exceeds 50KB"],
    ['/verify/id_selfie', { id_number: nikFor('01'), face_image: SELFIE, birth_date: '10-12-1987' }, "argument 'birth_date': invalid format"],
    ['/verify/id_selfie', { id_number: nikFor('01'), face_image: SELFIE, face_threshold: 'high' }, "argument 'face_threshold': must be a float"],
    ['/verify/id_name', { id_number: nikFor('01') }, "argument 'name': not found"],
    ['/verify/id_name_check', { id_number: 3217061012870001, name: NAME }, "argument 'id_number': must be a string"],
  ])('when %s is sent %j, then it answers 400 INVALID_ARGUMENT "%s"', async (urlPath, body, reason) => {
    const res = await axios.post(`${sim.url}${urlPath}`, body, { headers: { 'X-DF-API-ID': ACCUAUTH_SANDBOX.credentials.apiId, 'X-DF-API-SECRET': ACCUAUTH_SANDBOX.credentials.apiSecret }, validateStatus: () => true });

    expect(res.status).toBe(400);
    expect(res.data).toEqual({ status: 'INVALID_ARGUMENT', reason, request_id: expect.stringMatching(/^TID[0-9a-f]{32}$/) });
  });

  it('when the body is not JSON, then it answers 400 INVALID_ARGUMENT', async () => {
    const res = await axios.post(`${sim.url}/verify/id_name`, 'id_number=1', { headers: { 'Content-Type': 'text/plain', 'X-DF-API-ID': ACCUAUTH_SANDBOX.credentials.apiId, 'X-DF-API-SECRET': ACCUAUTH_SANDBOX.credentials.apiSecret }, validateStatus: () => true });

    expect(res.status).toBe(400);
    expect(res.data.status).toBe('INVALID_ARGUMENT');
  });

  it('when an unknown path is called, then it answers 404 NOT_FOUND', async () => {
    const res = await axios.post(`${sim.url}/verify/ocr_ktp`, {}, { validateStatus: () => true });

    expect(res.status).toBe(404);
    expect(res.data).toMatchObject({ status: 'NOT_FOUND', reason: 'Requested API cannot be found' });
  });
});

describe('AccuAuth simulator fault knobs', () => {
  it('when the quota is exhausted, then valid calls answer 403 OUT_OF_QUOTA and the table flags the quota', async () => {
    state.setFaults({ quotaExhausted: true });

    const outcome = await call('id_selfie', nikFor('01'));

    expect(outcome.facts).toMatchObject({ httpStatus: 403, code: 'OUT_OF_QUOTA' });
    const { row } = errorMap.classify('accuauth', 'id_selfie', outcome.facts);
    expect(row).toMatchObject({ suiteCode: 'provider_quota_exhausted', accountHealth: 'quota_exhausted', breaker: false, failover: true });
    expect(state.billing().totalCharged).toBe(0);
  });

  it('when the knob is set through POST /__sim/faults, then the server answers 500 INTERNAL_ERROR', async () => {
    await axios.post(`${sim.url}/__sim/faults`, { serverError: true });

    const outcome = await call('id_name', nikFor('01'));

    expect(outcome.facts).toMatchObject({ httpStatus: 500, code: 'INTERNAL_ERROR', message: 'Internal server error' });
    expect(errorMap.classify('accuauth', 'id_name', outcome.facts).row).toMatchObject({ suiteCode: 'provider_unavailable', breaker: true, failover: true });
  });

  it('when bodies are malformed, then the facts say malformed_body with charge unknown', async () => {
    state.setFaults({ malformedBody: true });

    const outcome = await call('id_selfie', nikFor('01'));

    expect(outcome.facts).toEqual({ httpStatus: 200, transport: 'malformed_body' });
    expect(resolveCharge(errorMap.classify('accuauth', 'id_selfie', outcome.facts).row)).toBe('unknown');
  });

  it('when the simulator hangs after receiving, then the call times out with charge unknown', async () => {
    state.setFaults({ hangAfterReceive: true });

    const outcome = await call('id_name_check', nikFor('01'), ctx({ timeoutMs: 150 }));

    expect(outcome.facts).toEqual({ transport: 'timeout' });
    expect(errorMap.classify('accuauth', 'id_name_check', outcome.facts).row).toMatchObject({ suiteCode: 'provider_timeout', charged: 'unknown', breaker: true });
  });

  it('when nothing listens on the port, then the facts say connection_refused and it is free', async () => {
    const gone = await listen(accuauthSimulator().app);
    await gone.close();

    const outcome = await call('id_name', nikFor('01'), ctx({ baseUrl: gone.url }));

    expect(outcome.facts).toEqual({ transport: 'connection_refused' });
    expect(resolveCharge(errorMap.classify('accuauth', 'id_name', outcome.facts).row)).toBe('free');
  });
});

describe('AccuAuth billing against the mapping table', () => {
  it('when a scripted run goes through every scenario, then the calls the table books as charged equal what the simulator billed', async () => {
    const script: Array<[Operation, string, CallContext?]> = [
      ...Object.keys(RESULT_NIKS).map((code) => ['id_selfie', nikFor(code)] as [Operation, string]),
      ...['01', '02', '03', '04'].map((code) => ['id_name', nikFor(code)] as [Operation, string]),
      ...['01', '02', '03', '04', '05', '06', '07', '08'].map((code) => ['id_name_check', nikFor(code)] as [Operation, string]),
      ...(['id_selfie', 'id_name', 'id_name_check'] as const).flatMap((op) => Object.values(ERROR_NIKS).map((nik) => [op, nik] as [Operation, string])),
      ['id_selfie', ACCUAUTH_SANDBOX.plain],
      ['id_name', ACCUAUTH_SANDBOX.plain],
      ['id_name_check', ACCUAUTH_SANDBOX.plain],
      ['id_name', '123'],
      ['id_selfie', nikFor('01'), ctx({ credentials: { apiId: 'x', apiSecret: 'y' } })],
    ];

    let booked = 0;
    for (const [op, nik, c] of script) {
      const outcome = await call(op, nik, c);
      const { row, unmapped } = errorMap.classify('accuauth', op, outcome.facts);
      expect(unmapped).toBe(false);
      if (resolveCharge(row) === 'charged') booked += 1;
    }
    state.setFaults({ quotaExhausted: true });
    const quota = await call('id_selfie', nikFor('01'));
    if (resolveCharge(errorMap.classify('accuauth', 'id_selfie', quota.facts).row) === 'charged') booked += 1;

    const billing = (await axios.get(`${sim.url}/__sim/billing`)).data;
    expect(billing.totalCalls).toBe(script.length + 1);
    expect(billing.totalCharged).toBe(booked);
    // 01 and 02 of id_selfie and id_name, the id_name_check scores for 01, 02 and the plain NIK, and the two plain verdicts.
    expect(booked).toBe(9);
  });
});
