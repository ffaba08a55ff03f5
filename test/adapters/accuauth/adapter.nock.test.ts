import nock from 'nock';
import { checkIdName, verifyIdName, verifyIdSelfie, withReferencePhotoSink } from '../../../adapters/accuauth';
import type { CallContext } from '../../../adapters/types';
import { AppError } from '../../../src/errors/app-error';

const BASE = 'https://cloudapi.indonesia.accuauth.com';
const NIK = '3217061012870001';
const CREDENTIALS = { apiId: 'test-api-id', apiSecret: 'test-api-secret' };
const ctx = (over: Partial<CallContext> = {}): CallContext => ({ baseUrl: BASE, credentials: CREDENTIALS, timeoutMs: 2000, ...over });

/** A base64 string that decodes to exactly `bytes` bytes. */
const imageOf = (bytes: number) => Buffer.alloc(bytes, 7).toString('base64');
const SELFIE = imageOf(1024);

/** An interceptor for one endpoint that only matches when both auth headers are sent. */
const vendor = (path: string, body?: nock.RequestBodyMatcher) =>
  nock(BASE).matchHeader('x-df-api-id', CREDENTIALS.apiId).matchHeader('x-df-api-secret', CREDENTIALS.apiSecret).post(path, body);

/** The seed 001 sample answer. */
const SEED_SAMPLE = {
  status: 'OK',
  result: {
    order_no: 'SFBw1091761941576552448',
    handle_time: '2025-06-30 16:32:10',
    result: '02',
    remark: 'UNSAME',
    id_number: NIK,
    face_percent: false,
    ktp_face_percent: false,
    face_score: 53.3,
    ktp_face_score: 0.0,
    name: false,
    birth_date: false,
  },
  request_id: 'TID07ecf99645e8452087c38252d1fccdca',
};

const errorBody = (status: string) => ({ status, reason: 'see the vendor', request_id: 'TID8bf47ab6eda64476973cc5f5b6ebf57e' });

const DOCUMENTED_ERRORS: Array<[number, string]> = [
  [400, 'INVALID_ARGUMENT'],
  [400, 'QUERY_FAILED'],
  [400, 'ABNORMAL_BEHAVIOURS_DETECTED'],
  [401, 'UNAUTHORIZED'],
  [401, 'KEY_EXPIRED'],
  [403, 'NO_PERMISSION'],
  [403, 'OUT_OF_QUOTA'],
  [403, 'RATE_LIMIT_EXCEEDED'],
  [404, 'NOT_FOUND'],
  [500, 'INTERNAL_ERROR'],
  [512, 'SOURCE_SERVICE_UNAVAILABLE'],
  [513, 'SOURCE_SERVICE_TIMEOUT'],
];

const OPERATIONS = {
  id_selfie: { path: '/verify/id_selfie', call: (c: CallContext) => verifyIdSelfie(c, { idNumber: NIK, faceImage: SELFIE }) },
  id_name: { path: '/verify/id_name', call: (c: CallContext) => verifyIdName(c, { idNumber: NIK, name: 'Budi Santoso' }) },
  id_name_check: { path: '/verify/id_name_check', call: (c: CallContext) => checkIdName(c, { idNumber: NIK, name: 'Budi Santoso' }) },
};
const OPERATION_NAMES = Object.keys(OPERATIONS) as Array<keyof typeof OPERATIONS>;

afterEach(() => {
  nock.cleanAll();
});
// test/setup-env.ts activates nock in every test file and nothing restores it: left active, this file's
// interceptor would answer the next test file's requests in the same worker and hide that file's mocks.
afterAll(() => nock.restore());

describe('AccuAuth id_selfie over nock', () => {
  it('when the vendor answers the seed sample, then the facts carry OK, 02 and the order_no and the data is normalised', async () => {
    const scope = vendor('/verify/id_selfie').reply(200, SEED_SAMPLE);

    const outcome = await verifyIdSelfie(ctx(), { idNumber: NIK, faceImage: SELFIE });

    expect(scope.isDone()).toBe(true);
    expect(outcome.facts).toEqual({ httpStatus: 200, code: 'OK', result: '02', requestId: 'SFBw1091761941576552448' });
    expect(outcome.data).toEqual({
      resultCode: '02',
      remark: 'UNSAME',
      faceMatch: false,
      faceScore: 53.3,
      ktpFaceMatch: false,
      ktpFaceScore: 0,
      nameMatch: false,
      birthDateMatch: false,
      handledAt: '2025-06-30 16:32:10',
    });
    expect(outcome.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('when every optional field is given, then the body is the vendor snake_case with nothing else', async () => {
    const expected = {
      id_number: NIK,
      face_image: SELFIE,
      ktp_image: SELFIE,
      email: 'budi@example.com',
      phone_number: '+6281234567890',
      birth_date: '1987-12-10',
      name: 'Budi Santoso',
      face_threshold: 70,
    };
    const scope = vendor('/verify/id_selfie', (body) => JSON.stringify(body) === JSON.stringify(expected)).reply(200, SEED_SAMPLE);

    await verifyIdSelfie(ctx(), {
      idNumber: NIK,
      faceImage: SELFIE,
      ktpImage: SELFIE,
      email: 'budi@example.com',
      phoneNumber: '+6281234567890',
      birthDate: '1987-12-10',
      name: 'Budi Santoso',
      faceThreshold: 70,
    });

    expect(scope.isDone()).toBe(true);
  });

  it('when only the required fields are given, then the body holds only id_number and face_image', async () => {
    const scope = vendor('/verify/id_selfie', (body) => Object.keys(body).sort().join() === 'face_image,id_number').reply(200, SEED_SAMPLE);

    await verifyIdSelfie(ctx(), { idNumber: NIK, faceImage: SELFIE });

    expect(scope.isDone()).toBe(true);
  });

  it.each(['01', '02', '03', '04', '05', '06', '07', '08'])('when the vendor answers result %s, then the facts carry that result code', async (code) => {
    vendor('/verify/id_selfie').reply(200, { ...SEED_SAMPLE, result: { ...SEED_SAMPLE.result, result: code } });

    const outcome = await verifyIdSelfie(ctx(), { idNumber: NIK, faceImage: SELFIE });

    expect(outcome.facts).toMatchObject({ httpStatus: 200, code: 'OK', result: code });
    expect(outcome.data?.resultCode).toBe(code);
  });

  it('when a non-match result leaves out the face fields, then it is still a valid answer', async () => {
    vendor('/verify/id_selfie').reply(200, { status: 'OK', result: { order_no: 'SFBw1091761941576552449', handle_time: '2025-06-30 16:32:11', result: '05', remark: null }, request_id: 'TIDabc' });

    const outcome = await verifyIdSelfie(ctx(), { idNumber: NIK, faceImage: SELFIE });

    expect(outcome.facts).toEqual({ httpStatus: 200, code: 'OK', result: '05', requestId: 'SFBw1091761941576552449' });
    expect(outcome.data).toEqual({ resultCode: '05', handledAt: '2025-06-30 16:32:11' });
  });

  it('when the face image is one byte over 50 KB decoded, then it throws invalid_request and nothing is sent', async () => {
    const scope = vendor('/verify/id_selfie').reply(200, SEED_SAMPLE);

    const call = verifyIdSelfie(ctx(), { idNumber: NIK, faceImage: imageOf(50 * 1024 + 1) });

    await expect(call).rejects.toBeInstanceOf(AppError);
    await expect(call).rejects.toMatchObject({ code: 'invalid_request', message: "invalid request: face_image exceeds AccuAuth's 50 KB limit", options: { param: 'input.faceImage' } });
    expect(scope.isDone()).toBe(false);
  });

  it('when the card image is over 50 KB decoded, then it throws invalid_request naming input.ktpImage and nothing is sent', async () => {
    const scope = vendor('/verify/id_selfie').reply(200, SEED_SAMPLE);

    const call = verifyIdSelfie(ctx(), { idNumber: NIK, faceImage: SELFIE, ktpImage: imageOf(60 * 1024) });

    await expect(call).rejects.toMatchObject({ code: 'invalid_request', options: { param: 'input.ktpImage' } });
    expect(scope.isDone()).toBe(false);
  });

  it('when both images are exactly 50 KB decoded, then the call is sent', async () => {
    const scope = vendor('/verify/id_selfie').reply(200, SEED_SAMPLE);

    await verifyIdSelfie(ctx(), { idNumber: NIK, faceImage: imageOf(50 * 1024), ktpImage: imageOf(50 * 1024) });

    expect(scope.isDone()).toBe(true);
  });
});

describe('AccuAuth id_selfie reference photo over nock (our assumption: registry_photo)', () => {
  const PHOTO = imageOf(3000);
  const withPhoto = (registry_photo: unknown) => ({ ...SEED_SAMPLE, result: { ...SEED_SAMPLE.result, result: '01', registry_photo } });

  it('when the answer carries a valid photo, then the sink gets it and the data only says it was received', async () => {
    vendor('/verify/id_selfie').reply(200, withPhoto(PHOTO));
    const photos: string[] = [];

    const outcome = await withReferencePhotoSink(
      (p) => photos.push(p),
      () => verifyIdSelfie(ctx(), { idNumber: NIK, faceImage: SELFIE }),
    );

    expect(photos).toEqual([PHOTO]);
    expect(outcome.data?.referencePhoto).toBe('received');
    expect(JSON.stringify(outcome)).not.toContain(PHOTO.slice(0, 32));
  });

  it('when the answer carries a photo outside any sink scope, then the photo is dropped', async () => {
    vendor('/verify/id_selfie').reply(200, withPhoto(PHOTO));

    const outcome = await verifyIdSelfie(ctx(), { idNumber: NIK, faceImage: SELFIE });

    expect(outcome.data?.referencePhoto).toBe('received');
    expect(JSON.stringify(outcome)).not.toContain(PHOTO.slice(0, 32));
  });

  it.each([
    ['not base64', 'data:image/jpeg;base64,/9j/4AAQ'],
    ['over 512 KB decoded', imageOf(512 * 1024 + 3)],
    ['empty', ''],
  ])('when the photo is %s, then the sink gets nothing, the data says rejected and the charged verdict stands', async (_why, photo) => {
    vendor('/verify/id_selfie').reply(200, withPhoto(photo));
    const photos: string[] = [];

    const outcome = await withReferencePhotoSink(
      (p) => photos.push(p),
      () => verifyIdSelfie(ctx(), { idNumber: NIK, faceImage: SELFIE }),
    );

    expect(photos).toEqual([]);
    expect(outcome.facts).toMatchObject({ httpStatus: 200, code: 'OK', result: '01' });
    expect(outcome.data).toMatchObject({ resultCode: '01', referencePhoto: 'rejected' });
  });

  it('when the photo is exactly 512 KB decoded, then it is accepted', async () => {
    vendor('/verify/id_selfie').reply(200, withPhoto(imageOf(512 * 1024)));
    const photos: string[] = [];

    await withReferencePhotoSink(
      (p) => photos.push(p),
      () => verifyIdSelfie(ctx(), { idNumber: NIK, faceImage: SELFIE }),
    );

    expect(photos).toHaveLength(1);
  });

  it('when two calls run at once, each in its own scope, then each sink gets only its own photo', async () => {
    const otherNik = '3217061012870002';
    const otherPhoto = Buffer.alloc(3000, 9).toString('base64');
    // The first answer comes last, so the two calls overlap.
    vendor('/verify/id_selfie', (b) => b.id_number === NIK)
      .delay(80)
      .reply(200, withPhoto(PHOTO));
    vendor('/verify/id_selfie', (b) => b.id_number === otherNik).reply(200, withPhoto(otherPhoto));
    const mine: string[] = [];
    const theirs: string[] = [];

    await Promise.all([
      withReferencePhotoSink(
        (p) => mine.push(p),
        () => verifyIdSelfie(ctx(), { idNumber: NIK, faceImage: SELFIE }),
      ),
      withReferencePhotoSink(
        (p) => theirs.push(p),
        () => verifyIdSelfie(ctx(), { idNumber: otherNik, faceImage: SELFIE }),
      ),
    ]);

    expect(mine).toEqual([PHOTO]);
    expect(theirs).toEqual([otherPhoto]);
  });

  it('when the photo is not a string, then the answer is schema_invalid', async () => {
    vendor('/verify/id_selfie').reply(200, withPhoto(42));

    const outcome = await verifyIdSelfie(ctx(), { idNumber: NIK, faceImage: SELFIE });

    expect(outcome.facts).toMatchObject({ httpStatus: 200, transport: 'schema_invalid' });
  });
});

describe('AccuAuth id_name and id_name_check over nock', () => {
  it.each([
    ['01', 'SAME'],
    ['02', 'UNSAME'],
    ['03', 'UNKNOW'],
    ['04', 'FAILED'],
  ])('when id_name answers result %s, then the facts carry it and the order_no', async (code, remark) => {
    const scope = vendor('/verify/id_name', { id_number: NIK, name: 'Budi Santoso' }).reply(200, {
      status: 'OK',
      result: { order_no: 'SFBw1091761941576552450', handle_time: '2025-06-30 16:32:12', result: code, remark },
      request_id: 'TIDdef',
    });

    const outcome = await verifyIdName(ctx(), { idNumber: NIK, name: 'Budi Santoso' });

    expect(scope.isDone()).toBe(true);
    expect(outcome.facts).toEqual({ httpStatus: 200, code: 'OK', result: code, requestId: 'SFBw1091761941576552450' });
    expect(outcome.data).toEqual({ resultCode: code, remark, handledAt: '2025-06-30 16:32:12' });
  });

  it('when id_name_check answers a score, then the facts carry OK and the request_id and the data only the score', async () => {
    const scope = vendor('/verify/id_name_check', { id_number: NIK, name: 'Budi Santoso' }).reply(200, {
      status: 'OK',
      result: { real_name: 'B**i S*****o', name_percent: 0.9 },
      request_id: 'TID11111111111111111111111111111111',
    });

    const outcome = await checkIdName(ctx(), { idNumber: NIK, name: 'Budi Santoso' });

    expect(scope.isDone()).toBe(true);
    expect(outcome.facts).toEqual({ httpStatus: 200, code: 'OK', requestId: 'TID11111111111111111111111111111111' });
    expect(outcome.data).toEqual({ namePercent: 0.9 });
  });

  it('when id_name_check answers a score above 1, then it is schema_invalid', async () => {
    vendor('/verify/id_name_check').reply(200, { status: 'OK', result: { real_name: 'B**i', name_percent: 90 }, request_id: 'TIDx' });

    const outcome = await checkIdName(ctx(), { idNumber: NIK, name: 'Budi' });

    expect(outcome.facts).toEqual({ httpStatus: 200, transport: 'schema_invalid' });
    expect(outcome.data).toBeUndefined();
  });
});

describe('AccuAuth error envelopes over nock', () => {
  const cases = OPERATION_NAMES.flatMap((op) => DOCUMENTED_ERRORS.map(([status, code]) => [op, status, code] as const));

  it.each(cases)('when %s answers HTTP %i %s, then the facts carry the status, the code, the reason and the request_id', async (op, status, code) => {
    const { path, call } = OPERATIONS[op];
    vendor(path).reply(status, errorBody(code));

    const outcome = await call(ctx());

    expect(outcome.facts).toEqual({ httpStatus: status, code, message: 'see the vendor', requestId: 'TID8bf47ab6eda64476973cc5f5b6ebf57e' });
    expect(outcome.data).toBeUndefined();
  });

  it('when the vendor answers an undocumented status and code, then they pass through as facts for the catch-all row', async () => {
    vendor('/verify/id_name').reply(429, { status: 'TOO_MANY_REQUESTS', request_id: 'TIDz' });

    const outcome = await verifyIdName(ctx(), { idNumber: NIK, name: 'Budi' });

    expect(outcome.facts).toEqual({ httpStatus: 429, code: 'TOO_MANY_REQUESTS', requestId: 'TIDz' });
  });
});

describe('AccuAuth unusable answers over nock', () => {
  it.each(OPERATION_NAMES)('when %s answers 200 with a cut-off body, then the facts say malformed_body without throwing', async (op) => {
    const { path, call } = OPERATIONS[op];
    vendor(path).reply(200, '{"status":"OK","result":{', { 'Content-Type': 'application/json' });

    await expect(call(ctx())).resolves.toMatchObject({ facts: { httpStatus: 200, transport: 'malformed_body' } });
  });

  it('when a proxy answers 502 with an HTML page, then the facts say malformed_body with that status', async () => {
    vendor('/verify/id_selfie').reply(502, '<html><body>Bad Gateway</body></html>', { 'Content-Type': 'text/html' });

    const outcome = await verifyIdSelfie(ctx(), { idNumber: NIK, faceImage: SELFIE });

    expect(outcome.facts).toEqual({ httpStatus: 502, transport: 'malformed_body' });
  });

  it.each([
    ['a JSON without status', { foo: 1 }],
    ['a success without result', { status: 'OK', request_id: 'TIDa' }],
    ['a numeric result code', { status: 'OK', result: { ...SEED_SAMPLE.result, result: 2 }, request_id: 'TIDa' }],
    ['a string face_percent', { status: 'OK', result: { ...SEED_SAMPLE.result, face_percent: 'yes' }, request_id: 'TIDa' }],
    ['a lower-case error status', { status: 'error', reason: 'x' }],
    ['a JSON array', [1, 2]],
  ])('when id_selfie answers %s, then the facts say schema_invalid without throwing', async (_, body) => {
    vendor('/verify/id_selfie').reply(200, body);

    const outcome = await verifyIdSelfie(ctx(), { idNumber: NIK, faceImage: SELFIE });

    expect(outcome.facts).toEqual({ httpStatus: 200, transport: 'schema_invalid' });
  });

  it.each(OPERATION_NAMES)('when %s answers later than the timeout, then the facts say timeout', async (op) => {
    const { path, call } = OPERATIONS[op];
    vendor(path).delay(1000).reply(200, SEED_SAMPLE);

    const outcome = await call(ctx({ timeoutMs: 50 }));

    expect(outcome.facts).toEqual({ transport: 'timeout' });
  });

  it('when the gateway aborts the call, then the facts say timeout', async () => {
    vendor('/verify/id_selfie').delay(1000).reply(200, SEED_SAMPLE);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);

    const outcome = await verifyIdSelfie(ctx({ signal: controller.signal }), { idNumber: NIK, faceImage: SELFIE });

    expect(outcome.facts).toEqual({ transport: 'timeout' });
  });

  it('when the credentials are missing, then it throws provider_not_configured and nothing is sent', async () => {
    const scope = nock(BASE).post('/verify/id_name').reply(200, {});

    await expect(verifyIdName(ctx({ credentials: { apiId: 'only-the-id' } }), { idNumber: NIK, name: 'Budi' })).rejects.toMatchObject({ code: 'provider_not_configured' });
    expect(scope.isDone()).toBe(false);
  });
});
