import nock from 'nock';
import {
  acceptKycRequest,
  authenticateFace,
  createKycRequest,
  deleteKycRequest,
  findKycRequest,
  getKycRequest,
  lapis,
  listKycRequests,
  uploadDocument,
  verifyLiveliness,
} from '../../../adapters/lapis';
import {
  LAPIS_MAX_BASE64_BYTES,
  LapisDocumentUploadRequest,
  LapisFaceAuthenticationRequest,
  LapisLivelinessRequest,
} from '../../../adapters/lapis/schemas';
import type { CallContext } from '../../../adapters/types';
import { AppError } from '../../../src/errors/app-error';
import { mp4DataUri, pngBase64 } from './fixtures';

const BASE = 'https://kyc-be.rubilink.app';
const KEY = 'lapis-test-key';
const ctx = (over: Partial<CallContext> = {}): CallContext => ({ baseUrl: BASE, credentials: { apiKey: KEY }, timeoutMs: 2000, ...over });
/** Every call must carry Lapis' three headers. */
const lapisApi = () => nock(BASE, { reqheaders: { 'x-api-key': KEY, 'content-type': /^application\/json/, accept: 'application/json' } });

const DOC_ID = '65f0c0ffee0000000000abcd';
const FRONT_URL = 'https://files.example.com/ktp-front.jpg';
const NO_DOCUMENT = 'There is no document identification data with the provided id!';
const ID_INFORMATION = {
  documentNumber: '3171014101900001',
  firstName: 'SITI',
  middleName: '',
  lastName: 'RAHAYU',
  fullName: 'SITI RAHAYU',
  age: 35,
  dob: '1990/01/01',
  dob_day: 1,
  dob_month: 1,
  dob_year: 1990,
  expiry: '2030/01/01',
  issued: '2015/06/15',
  address1: 'JL. MERDEKA NO. 1',
  documentType: 'I',
  documentSide: 'FRONT',
  issuerOrg_iso2: 'ID',
  nationality_iso2: 'ID',
};
const REQUEST = {
  id: 482913377,
  email: 'siti@example.com',
  phoneNumber: '+6281234567890',
  isValidated: true,
  isAccepted: false,
  idFrontImage: 'https://res.cloudinary.com/x/front.jpg',
  idBackImage: null,
  idSideImage: null,
  faceImage: 'https://res.cloudinary.com/x/face.jpg',
  faceMatch: 0.908,
  idInformation: ID_INFORMATION,
};

afterEach(() => nock.cleanAll());
// test/setup-env.ts activates nock for every file; restoring it keeps this file's interceptors out of the next file.
afterAll(() => nock.restore());

/** Expects an AppError before any HTTP call: `scope` must stay unsatisfied. */
async function expectRefused(call: Promise<unknown>, scope: nock.Scope, code: string, param?: string) {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect(err).toMatchObject({ code, ...(param ? { options: expect.objectContaining({ param }) } : {}) });
  expect(scope.isDone()).toBe(false);
}

describe('Lapis declaration', () => {
  it('when the gateway reads the declaration, then it names the apiKey credential and every operation with the check it serves', () => {
    expect(lapis.id).toBe('lapis');
    expect(lapis.credentials).toEqual(['apiKey']);
    expect(Object.fromEntries(Object.entries(lapis.operations).map(([op, d]) => [op, d.serves]))).toEqual({
      document_upload: 'document',
      ekyc_request: 'ekyc_request',
      face_authentication: 'face_match',
      liveliness: 'liveness',
      kyc_request_create: null,
      kyc_request_accept: null,
      kyc_request_list: null,
      kyc_request_get: null,
      kyc_request_delete: null,
      kyc_request_find: null,
    });
  });
});

describe('document upload', () => {
  it('when Lapis recognises the document, then the facts carry 200 and the document id, and the data the extracted fields', async () => {
    const back = pngBase64();
    let sent: unknown;
    const scope = lapisApi()
      .post('/api/document-upload', (body) => ((sent = body), true))
      .reply(200, { id: DOC_ID, idInformation: ID_INFORMATION });

    const outcome = await uploadDocument(ctx(), { front: { url: FRONT_URL }, back: { base64: back } });

    expect(scope.isDone()).toBe(true);
    expect(sent).toEqual({ frontImage: FRONT_URL, backImageBase64: back });
    expect(LapisDocumentUploadRequest.safeParse(sent).success).toBe(true);
    expect(outcome.facts).toEqual({ httpStatus: 200, requestId: DOC_ID });
    expect(outcome.data).toEqual({
      documentId: DOC_ID,
      extracted: {
        documentNumber: '3171014101900001',
        fullName: 'SITI RAHAYU',
        firstName: 'SITI',
        lastName: 'RAHAYU',
        dateOfBirth: '1990-01-01',
        dateOfExpiry: '2030-01-01',
        dateOfIssue: '2015-06-15',
        address: 'JL. MERDEKA NO. 1',
        documentType: 'I',
        documentSide: 'FRONT',
        issuerCountry: 'ID',
        nationality: 'ID',
      },
    });
  });

  it('when Lapis answers 201 with the id under documentIdentificationId, then that id is read too (the success shape is assumed)', async () => {
    lapisApi().post('/api/document-upload').reply(201, { documentIdentificationId: 991 });

    const outcome = await uploadDocument(ctx(), { front: { base64: pngBase64() } });

    expect(outcome.facts).toEqual({ httpStatus: 201, requestId: '991' });
    expect(outcome.data).toEqual({ documentId: '991', extracted: {} });
  });

  it.each([
    'invalid document (front, side, back) image provided',
    'invalid base64 front image provided',
    'only one image is accepted per document side!',
    'The document supplied is not recognized!',
  ])('when Lapis answers 400 "%s", then the facts carry that exact message', async (error) => {
    lapisApi().post('/api/document-upload').reply(400, { error });

    const outcome = await uploadDocument(ctx(), { front: { url: FRONT_URL } });

    expect(outcome.facts).toEqual({ httpStatus: 400, message: error });
    expect(outcome.data).toBeUndefined();
  });

  it('when Lapis answers the plain-text 413, then the facts carry "Request Entity Too Large" and no transport failure', async () => {
    lapisApi().post('/api/document-upload').reply(413, 'Request Entity Too Large', { 'content-type': 'text/plain' });

    const outcome = await uploadDocument(ctx(), { front: { url: FRONT_URL } });

    expect(outcome.facts).toEqual({ httpStatus: 413, message: 'Request Entity Too Large' });
  });

  it('when the base64 images add up to more than 30 MB, then invalid_request is thrown naming the side and Lapis is not called', async () => {
    const scope = lapisApi().post('/api/document-upload').reply(200, { id: DOC_ID });
    const half = 'A'.repeat(LAPIS_MAX_BASE64_BYTES / 2);

    await expectRefused(
      uploadDocument(ctx(), { front: { base64: half }, back: { base64: half }, side: { base64: 'AAAA' } }),
      scope,
      'invalid_request',
      'side.base64',
    );
  });

  it('when the base64 images add up to exactly 30 MB, then the call is sent', async () => {
    const scope = lapisApi().post('/api/document-upload').reply(200, { id: DOC_ID });
    const half = 'A'.repeat(LAPIS_MAX_BASE64_BYTES / 2);

    await uploadDocument(ctx(), { front: { base64: half }, back: { base64: half } });

    expect(scope.isDone()).toBe(true);
  });

  it('when a side has both a URL and base64, then invalid_request is thrown before any call', async () => {
    const scope = lapisApi().post('/api/document-upload').reply(200, { id: DOC_ID });

    await expectRefused(uploadDocument(ctx(), { front: { url: FRONT_URL, base64: 'AAAA' } as never }), scope, 'invalid_request', 'front');
  });

  it('when the front image URL is not http(s), then invalid_request is thrown before any call', async () => {
    const scope = lapisApi().post('/api/document-upload').reply(200, { id: DOC_ID });

    await expectRefused(uploadDocument(ctx(), { front: { url: 'file:///etc/passwd' } }), scope, 'invalid_request', 'front.url');
  });
});

describe('face authentication', () => {
  it('when the face matches, then the facts carry 200 and the document id, and the data the score', async () => {
    let sent: unknown;
    const scope = lapisApi()
      .post('/api/face-authentication', (body) => ((sent = body), true))
      .reply(200, { score: 0.908 });
    const face = pngBase64();

    const outcome = await authenticateFace(ctx(), { documentId: DOC_ID, face: { base64: face } });

    expect(scope.isDone()).toBe(true);
    expect(sent).toEqual({ faceImageBase64: face, documentIdentificationId: DOC_ID });
    expect(LapisFaceAuthenticationRequest.safeParse(sent).success).toBe(true);
    expect(outcome.facts).toEqual({ httpStatus: 200, requestId: DOC_ID });
    expect(outcome.data).toEqual({ documentId: DOC_ID, score: 0.908 });
  });

  it('when the face is a URL, then it is sent as faceImage', async () => {
    const scope = lapisApi()
      .post('/api/face-authentication', { faceImage: 'https://files.example.com/face.jpg', documentIdentificationId: DOC_ID })
      .reply(200, { score: 1 });

    await authenticateFace(ctx(), { documentId: DOC_ID, face: { url: 'https://files.example.com/face.jpg' } });

    expect(scope.isDone()).toBe(true);
  });

  it.each([
    'invalid face image provided',
    'invalid base64 front image provided',
    'only one face image is accepted!',
    NO_DOCUMENT,
    'Face match verification FAILED!',
  ])('when Lapis answers 400 "%s", then the facts carry that exact message and the document id', async (error) => {
    lapisApi().post('/api/face-authentication').reply(400, { error });

    const outcome = await authenticateFace(ctx(), { documentId: DOC_ID, face: { base64: pngBase64() } });

    expect(outcome.facts).toEqual({ httpStatus: 400, message: error, requestId: DOC_ID });
  });

  it('when Lapis answers 401, then the facts carry "invalid api key"', async () => {
    lapisApi().post('/api/face-authentication').reply(401, { error: 'invalid api key' });

    const outcome = await authenticateFace(ctx(), { documentId: DOC_ID, face: { base64: pngBase64() } });

    expect(outcome.facts).toEqual({ httpStatus: 401, message: 'invalid api key', requestId: DOC_ID });
  });

  it('when Lapis answers the plain-text 413, then the facts carry "Request Entity Too Large"', async () => {
    lapisApi().post('/api/face-authentication').reply(413, 'Request Entity Too Large\n');

    const outcome = await authenticateFace(ctx(), { documentId: DOC_ID, face: { base64: pngBase64() } });

    expect(outcome.facts).toEqual({ httpStatus: 413, message: 'Request Entity Too Large', requestId: DOC_ID });
  });

  it('when the face image is over 30 MB of base64, then invalid_request is thrown and Lapis is not called', async () => {
    const scope = lapisApi().post('/api/face-authentication').reply(200, { score: 1 });

    await expectRefused(
      authenticateFace(ctx(), { documentId: DOC_ID, face: { base64: 'A'.repeat(LAPIS_MAX_BASE64_BYTES + 1) } }),
      scope,
      'invalid_request',
      'face.base64',
    );
  });

  it('when the score is outside 0..1, then the facts say schema_invalid and nothing is thrown', async () => {
    lapisApi().post('/api/face-authentication').reply(200, { score: 90.8 });

    const outcome = await authenticateFace(ctx(), { documentId: DOC_ID, face: { base64: pngBase64() } });

    expect(outcome.facts).toEqual({ transport: 'schema_invalid', httpStatus: 200, requestId: DOC_ID });
    expect(outcome.data).toBeUndefined();
  });

  it('when the 200 body is not JSON, then the facts say malformed_body and nothing is thrown', async () => {
    lapisApi().post('/api/face-authentication').reply(200, '{"score": 0.9');

    const outcome = await authenticateFace(ctx(), { documentId: DOC_ID, face: { base64: pngBase64() } });

    expect(outcome.facts).toEqual({ transport: 'malformed_body', httpStatus: 200, requestId: DOC_ID });
  });

  it('when a 400 body is an HTML page, then the facts say malformed_body with the status', async () => {
    lapisApi().post('/api/face-authentication').reply(400, '<html><body>Bad Request</body></html>');

    const outcome = await authenticateFace(ctx(), { documentId: DOC_ID, face: { base64: pngBase64() } });

    expect(outcome.facts).toEqual({ transport: 'malformed_body', httpStatus: 400, requestId: DOC_ID });
  });

  it('when Lapis does not answer within the timeout, then the facts say timeout', async () => {
    lapisApi().post('/api/face-authentication').delay(1000).reply(200, { score: 0.9 });

    const outcome = await authenticateFace(ctx({ timeoutMs: 100 }), { documentId: DOC_ID, face: { base64: pngBase64() } });

    expect(outcome.facts).toEqual({ transport: 'timeout', requestId: DOC_ID });
  });

  it('when the connection is refused, then the facts say connection_refused', async () => {
    // An Error instance: nock 14 never settles the request for a plain-object error.
    lapisApi()
      .post('/api/face-authentication')
      .replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));

    const outcome = await authenticateFace(ctx(), { documentId: DOC_ID, face: { base64: pngBase64() } });

    expect(outcome.facts).toEqual({ transport: 'connection_refused', requestId: DOC_ID });
  });

  it('when Lapis answers 500 with an HTML page, then the facts carry the status only (a server error, not a malformed body)', async () => {
    lapisApi().post('/api/face-authentication').reply(500, '<html>oops</html>');

    const outcome = await authenticateFace(ctx(), { documentId: DOC_ID, face: { base64: pngBase64() } });

    expect(outcome.facts).toEqual({ httpStatus: 500, requestId: DOC_ID });
  });

  it('when no apiKey credential is configured, then provider_not_configured is thrown and Lapis is not called', async () => {
    const scope = nock(BASE).post('/api/face-authentication').reply(200, { score: 1 });

    await expectRefused(
      authenticateFace(ctx({ credentials: {} }), { documentId: DOC_ID, face: { base64: pngBase64() } }),
      scope,
      'provider_not_configured',
    );
  });
});

describe('liveliness', () => {
  it('when the video passes, then the facts carry 200 and the document id, and the video goes as a data URI', async () => {
    const video = mp4DataUri();
    let sent: unknown;
    const scope = lapisApi()
      .post('/api/liveliness', (body) => ((sent = body), true))
      .reply(200, { message: 'Liveliness verification successful' });

    const outcome = await verifyLiveliness(ctx(), { documentId: DOC_ID, video: { base64: video } });

    expect(scope.isDone()).toBe(true);
    expect(sent).toEqual({ faceVideoBase64: video, documentIdentificationId: DOC_ID });
    expect(LapisLivelinessRequest.safeParse(sent).success).toBe(true);
    expect(outcome.facts).toEqual({ httpStatus: 200, message: 'Liveliness verification successful', requestId: DOC_ID });
    expect(outcome.data).toEqual({ documentId: DOC_ID });
  });

  it.each([
    'invalid face video provided',
    'invalid base64 video provided',
    'only one face video is accepted!',
    NO_DOCUMENT,
    ':liveliness verification FAILED!',
  ])('when Lapis answers 400 "%s", then the facts carry that exact message', async (error) => {
    lapisApi().post('/api/liveliness').reply(400, { error });

    const outcome = await verifyLiveliness(ctx(), { documentId: DOC_ID, video: { url: 'https://files.example.com/face.mp4' } });

    expect(outcome.facts).toEqual({ httpStatus: 400, message: error, requestId: DOC_ID });
  });

  it('when Lapis answers the plain-text 413, then the facts carry "Request Entity Too Large"', async () => {
    lapisApi().post('/api/liveliness').reply(413, 'Request Entity Too Large');

    const outcome = await verifyLiveliness(ctx(), { documentId: DOC_ID, video: { base64: mp4DataUri() } });

    expect(outcome.facts).toEqual({ httpStatus: 413, message: 'Request Entity Too Large', requestId: DOC_ID });
  });

  it('when the video data URI is over 30 MB, then invalid_request is thrown and Lapis is not called', async () => {
    const scope = lapisApi().post('/api/liveliness').reply(200, {});

    await expectRefused(
      verifyLiveliness(ctx(), { documentId: DOC_ID, video: { base64: `data:video/mp4;base64,${'A'.repeat(LAPIS_MAX_BASE64_BYTES)}` } }),
      scope,
      'invalid_request',
      'video.base64',
    );
  });

  it('when the base64 video lacks its MIME prefix, then invalid_request is thrown before any call', async () => {
    const scope = lapisApi().post('/api/liveliness').reply(200, {});

    await expectRefused(
      verifyLiveliness(ctx(), { documentId: DOC_ID, video: { base64: 'AAAAGGZ0eXBpc29t' } }),
      scope,
      'invalid_request',
      'video.base64',
    );
  });
});

describe('eKYC requests', () => {
  const createInput = { email: 'siti@example.com', phoneNumber: '+6281234567890', documentId: DOC_ID };

  it('when the request is created, then the facts carry 201 "Request submitted" and the body is email, phoneNumber, documentIdentificationId', async () => {
    const scope = lapisApi()
      .post('/api/kyc-request', { email: 'siti@example.com', phoneNumber: '+6281234567890', documentIdentificationId: DOC_ID })
      .reply(201, { message: 'Request submitted' });

    const outcome = await createKycRequest(ctx(), createInput);

    expect(scope.isDone()).toBe(true);
    expect(outcome.facts).toEqual({ httpStatus: 201, message: 'Request submitted', requestId: DOC_ID });
    expect(outcome.data).toEqual({ message: 'Request submitted' });
  });

  it('when the email or phone is taken, then the facts carry 409 whatever the (uncaptured) body is', async () => {
    lapisApi().post('/api/kyc-request').reply(409, 'Conflict');

    const outcome = await createKycRequest(ctx(), createInput);

    expect(outcome.facts).toEqual({ httpStatus: 409, requestId: DOC_ID });
  });

  it('when the 409 has a JSON error, then its message is kept', async () => {
    lapisApi().post('/api/kyc-request').reply(409, { error: 'email already used' });

    expect((await createKycRequest(ctx(), createInput)).facts).toEqual({
      httpStatus: 409,
      message: 'email already used',
      requestId: DOC_ID,
    });
  });

  it('when the document id is unknown, then the facts carry the no-document message', async () => {
    lapisApi().post('/api/kyc-request').reply(400, { error: NO_DOCUMENT });

    expect((await createKycRequest(ctx(), createInput)).facts).toEqual({ httpStatus: 400, message: NO_DOCUMENT, requestId: DOC_ID });
  });

  it('when the phone number has no country code, then invalid_request is thrown before any call', async () => {
    const scope = lapisApi().post('/api/kyc-request').reply(201, { message: 'Request submitted' });

    await expectRefused(createKycRequest(ctx(), { ...createInput, phoneNumber: '081234567890' }), scope, 'invalid_request', 'phoneNumber');
  });

  it('when a request is accepted, then PUT /api/accept carries {id} and the facts 200 "Kyc request accepted"', async () => {
    const scope = lapisApi().put('/api/accept', { id: '482913377' }).reply(200, { message: 'Kyc request accepted' });

    const outcome = await acceptKycRequest(ctx(), { requestId: '482913377' });

    expect(scope.isDone()).toBe(true);
    expect(outcome.facts).toEqual({ httpStatus: 200, message: 'Kyc request accepted', requestId: '482913377' });
  });

  it('when the request to accept is unknown, then the facts carry the {message} body "Kyc request not accepted"', async () => {
    lapisApi().put('/api/accept').reply(400, { message: 'Kyc request not accepted' });

    expect((await acceptKycRequest(ctx(), { requestId: '1' })).facts).toEqual({
      httpStatus: 400,
      message: 'Kyc request not accepted',
      requestId: '1',
    });
  });

  it.each([true, false])(
    'when requests are listed with accepted=%s, then the query says so and the requests are normalised',
    async (accepted) => {
      const scope = lapisApi()
        .get('/api/requests')
        .query({ accepted: String(accepted) })
        .reply(200, { requests: [REQUEST] });

      const outcome = await listKycRequests(ctx(), { accepted });

      expect(scope.isDone()).toBe(true);
      expect(outcome.facts).toEqual({ httpStatus: 200 });
      expect(outcome.data?.requests).toEqual([
        expect.objectContaining({
          requestId: '482913377',
          email: 'siti@example.com',
          isValidated: true,
          isAccepted: false,
          faceMatch: 0.908,
        }),
      ]);
      expect(outcome.data?.requests[0]?.document).toMatchObject({ documentNumber: '3171014101900001', dateOfBirth: '1990-01-01' });
    },
  );

  it('when one request is fetched, then its id is in the URL and the wrapper {requests} is read', async () => {
    const scope = lapisApi()
      .get('/api/requests/482913377')
      .reply(200, { requests: [REQUEST] });

    const outcome = await getKycRequest(ctx(), { requestId: '482913377' });

    expect(scope.isDone()).toBe(true);
    // Validated but not yet accepted: `open` for the mapping table.
    expect(outcome.facts).toEqual({ httpStatus: 200, requestId: '482913377', result: 'open' });
    expect(outcome.data?.requests).toHaveLength(1);
  });

  it.each([
    [{ ...REQUEST, isAccepted: true }, 'accepted'],
    [{ ...REQUEST, isValidated: false, isAccepted: true }, 'open'],
  ])('when the fetched request is %#, then its state is the verdict', async (request, result) => {
    lapisApi()
      .get('/api/requests/482913377')
      .reply(200, { requests: [request] });
    expect((await getKycRequest(ctx(), { requestId: '482913377' })).facts.result).toBe(result);
  });

  it('when the fetched request comes back as an empty list, then the verdict is missing', async () => {
    lapisApi().get('/api/requests/1').reply(200, { requests: [] });
    expect((await getKycRequest(ctx(), { requestId: '1' })).facts).toEqual({ httpStatus: 200, requestId: '1', result: 'missing' });
  });

  it("when the applicant's open request is looked for, then the open list is read and only the match's id and state are kept", async () => {
    const other = { ...REQUEST, id: 111, email: 'other@example.com', phoneNumber: '+6289999999999' };
    const scope = lapisApi()
      .get('/api/requests')
      .query({ accepted: 'false' })
      .reply(200, { requests: [other, REQUEST] });

    const outcome = await findKycRequest(ctx(), { email: 'SITI@example.com', phoneNumber: REQUEST.phoneNumber });

    expect(scope.isDone()).toBe(true);
    expect(outcome.facts).toEqual({ httpStatus: 200, result: 'validated' });
    expect(outcome.data).toEqual({ requestId: '482913377', isValidated: true, isAccepted: false });
  });

  it.each([
    [[{ ...REQUEST, isValidated: false }], 'awaiting_person'],
    [[{ ...REQUEST, phoneNumber: '+6280000000000' }], 'not_found'],
    [[], 'not_found'],
  ])('when the open list holds %j, then the verdict is %s', async (requests, result) => {
    lapisApi().get('/api/requests').query({ accepted: 'false' }).reply(200, { requests });
    expect((await findKycRequest(ctx(), { email: 'siti@example.com', phoneNumber: REQUEST.phoneNumber })).facts.result).toBe(result);
  });

  it('when a listed request lacks a documented field, then the facts say schema_invalid', async () => {
    const { isAccepted: _dropped, ...incomplete } = REQUEST;
    lapisApi()
      .get('/api/requests')
      .query(true)
      .reply(200, { requests: [incomplete] });

    expect((await listKycRequests(ctx(), { accepted: false })).facts).toEqual({ transport: 'schema_invalid', httpStatus: 200 });
  });

  it('when a request is deleted, then DELETE carries the JSON body {id} with the Lapis headers', async () => {
    const scope = lapisApi().delete('/api/delete-request', { id: '482913377' }).reply(200, { message: 'KYC request deleted!' });

    const outcome = await deleteKycRequest(ctx(), { requestId: '482913377' });

    expect(scope.isDone()).toBe(true);
    expect(outcome.facts).toEqual({ httpStatus: 200, message: 'KYC request deleted!', requestId: '482913377' });
  });

  it.each([
    ['create', () => createKycRequest(ctx(), createInput), () => lapisApi().post('/api/kyc-request')],
    ['accept', () => acceptKycRequest(ctx(), { requestId: '1' }), () => lapisApi().put('/api/accept')],
    ['list', () => listKycRequests(ctx(), { accepted: true }), () => lapisApi().get('/api/requests').query(true)],
    ['get', () => getKycRequest(ctx(), { requestId: '1' }), () => lapisApi().get('/api/requests/1')],
    ['delete', () => deleteKycRequest(ctx(), { requestId: '1' }), () => lapisApi().delete('/api/delete-request')],
  ] as const)('when %s is refused with 401, then the facts carry "invalid api key"', async (_name, call, intercept) => {
    intercept().reply(401, { error: 'invalid api key' });

    expect((await call()).facts).toMatchObject({ httpStatus: 401, message: 'invalid api key' });
  });

  it('when a request id carries URL syntax, then invalid_request is thrown before any call', async () => {
    const scope = lapisApi().get(/.*/).reply(200, { requests: [] });

    await expectRefused(getKycRequest(ctx(), { requestId: '../accept' }), scope, 'invalid_request', 'requestId');
  });
});

describe('configurable paths', () => {
  it('when a deployment overrides the assumed paths, then the calls go there', async () => {
    const upload = lapisApi().post('/v2/documents').reply(200, { id: DOC_ID });
    const one = lapisApi().get('/v2/request/7').reply(200, { requests: [] });

    await uploadDocument(ctx(), { front: { url: FRONT_URL } }, { documentUpload: '/v2/documents' });
    await getKycRequest(ctx(), { requestId: '7' }, { getRequest: '/v2/request/{id}' });

    expect(upload.isDone()).toBe(true);
    expect(one.isDone()).toBe(true);
  });

  it('when the assumed path does not exist at Lapis, then the 404 page is a status fact, not a malformed body', async () => {
    lapisApi().post('/api/document-upload').reply(404, '<pre>Cannot POST /api/document-upload</pre>');

    expect((await uploadDocument(ctx(), { front: { url: FRONT_URL } })).facts).toEqual({ httpStatus: 404 });
  });
});
