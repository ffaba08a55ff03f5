import nock from 'nock';
import {
  acceptKycRequest,
  authenticateFace,
  createKycRequest,
  deleteKycRequest,
  getKycRequest,
  lapisClient,
  listKycRequests,
  uploadDocument,
  verifyLiveliness,
} from '../../../adapters/lapis';
import { LAPIS_MARKERS, LAPIS_SIMULATOR_API_KEY, LAPIS_SIMULATOR_BASE64_LIMIT, LAPIS_SIMULATOR_FACE_SCORE, lapisSimulator } from '../../../adapters/lapis/simulator';
import { fromDocumentUpload, fromFaceAuthentication, fromLiveliness } from '../../../adapters/lapis/transform';
import { listen, type RunningSimulator, type SimulatorState } from '../../../adapters/simulator-kit';
import type { CallContext } from '../../../adapters/types';
import { jpegBase64, lapisErrorMap, mp4DataUri, pngBase64, suiteCode } from './fixtures';

const { map, cleanup } = lapisErrorMap();
let sim: RunningSimulator;
let state: SimulatorState;
const ctx = (over: Partial<CallContext> = {}): CallContext => ({ baseUrl: sim.url, credentials: { apiKey: LAPIS_SIMULATOR_API_KEY }, timeoutMs: 2000, ...over });
const NO_DOCUMENT = 'There is no document identification data with the provided id!';
let emails = 0;
/** A fresh applicant, so that requests of different tests never collide on email or phone. */
const applicant = () => {
  emails += 1;
  return { email: `applicant${emails}@example.com`, phoneNumber: `+62812000${String(emails).padStart(5, '0')}` };
};

beforeAll(async () => {
  const simulator = lapisSimulator();
  state = simulator.state;
  sim = await listen(simulator.app);
});
afterEach(() => state?.reset());
afterAll(async () => {
  await sim?.close();
  cleanup();
  nock.restore();
});

async function newDocumentId(): Promise<string> {
  const outcome = await uploadDocument(ctx(), { front: { base64: pngBase64() } });
  if (!outcome.data) throw new Error(`upload failed: ${JSON.stringify(outcome.facts)}`);
  return outcome.data.documentId;
}

describe('Lapis simulator: the whole flow', () => {
  it('when a document goes upload -> face -> liveliness -> create -> list -> accept -> get -> delete, then every step answers as Lapis does', async () => {
    const upload = await uploadDocument(ctx(), { front: { base64: pngBase64() }, back: { url: 'https://files.example.com/back.jpg' }, side: { base64: jpegBase64() } });
    expect(upload.facts).toMatchObject({ httpStatus: 200 });
    expect(suiteCode(map, 'document_upload', upload.facts)).toBe('document_accepted');
    const documentId = upload.data?.documentId as string;
    expect(upload.facts.requestId).toBe(documentId);
    expect(upload.data?.extracted).toMatchObject({ documentNumber: '3171014101900001', dateOfBirth: '1990-01-01', nationality: 'ID' });

    const face = await authenticateFace(ctx(), { documentId, face: { base64: jpegBase64() } });
    expect(face.data).toEqual({ documentId, score: LAPIS_SIMULATOR_FACE_SCORE });
    expect(suiteCode(map, 'face_authentication', face.facts)).toBe('face_match');

    const live = await verifyLiveliness(ctx(), { documentId, video: { base64: mp4DataUri() } });
    expect(suiteCode(map, 'liveliness', live.facts)).toBe('liveness_passed');

    const who = applicant();
    const created = await createKycRequest(ctx(), { ...who, documentId });
    expect(created.facts).toEqual({ httpStatus: 201, message: 'Request submitted', requestId: documentId });
    expect(suiteCode(map, 'kyc_request_create', created.facts)).toBe('request_submitted');

    // Create does not return the request id: the partner finds it among the pending requests.
    const pending = await listKycRequests(ctx(), { accepted: false });
    const mine = pending.data?.requests.find((r) => r.email === who.email);
    expect(mine).toMatchObject({ phoneNumber: who.phoneNumber, isAccepted: false, isValidated: true, faceMatch: LAPIS_SIMULATOR_FACE_SCORE });
    const requestId = mine?.requestId as string;
    expect(requestId).toMatch(/^\d{9}$/);

    const accepted = await acceptKycRequest(ctx(), { requestId });
    expect(accepted.facts).toEqual({ httpStatus: 200, message: 'Kyc request accepted', requestId });
    expect(suiteCode(map, 'kyc_request_accept', accepted.facts)).toBe('request_completed');
    expect((await listKycRequests(ctx(), { accepted: true })).data?.requests.map((r) => r.requestId)).toContain(requestId);
    expect((await listKycRequests(ctx(), { accepted: false })).data?.requests.map((r) => r.requestId)).not.toContain(requestId);

    const one = await getKycRequest(ctx(), { requestId });
    expect(one.data?.requests).toEqual([expect.objectContaining({ requestId, isAccepted: true })]);

    const deleted = await deleteKycRequest(ctx(), { requestId });
    expect(deleted.facts).toEqual({ httpStatus: 200, message: 'KYC request deleted!', requestId });
    expect((await getKycRequest(ctx(), { requestId })).data?.requests).toEqual([]);
  });
});

describe('Lapis simulator: documented scenarios', () => {
  it('when the front image carries the unrecognised marker (URL or bytes), then 400 "The document supplied is not recognized!"', async () => {
    for (const front of [{ url: `https://files.example.com/${LAPIS_MARKERS.unrecognisedDocument}.jpg` }, { base64: pngBase64(LAPIS_MARKERS.unrecognisedDocument) }]) {
      const outcome = await uploadDocument(ctx(), { front });
      expect(outcome.facts).toEqual({ httpStatus: 400, message: 'The document supplied is not recognized!' });
      expect(suiteCode(map, 'document_upload', outcome.facts)).toBe('document_rejected');
    }
  });

  it('when an image URL cannot be downloaded, then 400 "invalid document (front, side, back) image provided"', async () => {
    const outcome = await uploadDocument(ctx(), { front: { base64: pngBase64() }, back: { url: `https://files.example.com/${LAPIS_MARKERS.unreachableUrl}` } });
    expect(outcome.facts).toEqual({ httpStatus: 400, message: 'invalid document (front, side, back) image provided' });
  });

  it('when a base64 document image is not PNG or JPEG, then 400 "invalid base64 front image provided"', async () => {
    const outcome = await uploadDocument(ctx(), { front: { base64: Buffer.from('GIF89a').toString('base64') } });
    expect(outcome.facts).toEqual({ httpStatus: 400, message: 'invalid base64 front image provided' });
    expect(suiteCode(map, 'document_upload', outcome.facts)).toBe('invalid_request');
  });

  it('when a document side has a URL and base64 (only possible past the adapter), then 400 "only one image is accepted per document side!"', async () => {
    const raw = await lapisClient().uploadDocument(ctx(), { frontImage: 'https://files.example.com/f.jpg', frontImageBase64: pngBase64() });
    expect(fromDocumentUpload(raw).facts).toEqual({ httpStatus: 400, message: 'only one image is accepted per document side!' });
  });

  it('when the face carries the mismatch marker, then 400 "Face match verification FAILED!", a face_mismatch result', async () => {
    const documentId = await newDocumentId();
    for (const face of [{ base64: pngBase64(LAPIS_MARKERS.faceMismatch) }, { url: `https://files.example.com/${LAPIS_MARKERS.faceMismatch}.png` }]) {
      const outcome = await authenticateFace(ctx(), { documentId, face });
      expect(outcome.facts).toEqual({ httpStatus: 400, message: 'Face match verification FAILED!', requestId: documentId });
      expect(map.classify('lapis', 'face_authentication', outcome.facts).row).toMatchObject({ kind: 'result', suiteCode: 'face_mismatch' });
    }
  });

  it('when the face input is bad, then each documented face error comes back', async () => {
    const documentId = await newDocumentId();
    const unreachable = await authenticateFace(ctx(), { documentId, face: { url: `https://x.example/${LAPIS_MARKERS.unreachableUrl}` } });
    expect(unreachable.facts.message).toBe('invalid face image provided');
    const notImage = await authenticateFace(ctx(), { documentId, face: { base64: Buffer.from('plain text').toString('base64') } });
    expect(notImage.facts.message).toBe('invalid base64 front image provided');
    const both = fromFaceAuthentication(await lapisClient().authenticateFace(ctx(), { faceImage: 'https://x.example/f.png', faceImageBase64: pngBase64(), documentIdentificationId: documentId }), documentId);
    expect(both.facts.message).toBe('only one face image is accepted!');
    const unknown = await authenticateFace(ctx(), { documentId: 'no-such-document', face: { base64: pngBase64() } });
    expect(unknown.facts).toEqual({ httpStatus: 400, message: NO_DOCUMENT, requestId: 'no-such-document' });
    expect(suiteCode(map, 'face_authentication', unknown.facts)).toBe('resource_not_found');
  });

  it('when the video carries the spoof marker, then 400 ":liveliness verification FAILED!", a liveness_rejected result', async () => {
    const documentId = await newDocumentId();
    const outcome = await verifyLiveliness(ctx(), { documentId, video: { base64: mp4DataUri(LAPIS_MARKERS.livenessSpoof) } });
    expect(outcome.facts).toEqual({ httpStatus: 400, message: ':liveliness verification FAILED!', requestId: documentId });
    expect(suiteCode(map, 'liveliness', outcome.facts)).toBe('liveness_rejected');
  });

  it('when the liveliness input is bad, then each documented liveliness error comes back', async () => {
    const documentId = await newDocumentId();
    const unreachable = await verifyLiveliness(ctx(), { documentId, video: { url: `https://x.example/${LAPIS_MARKERS.unreachableUrl}.mp4` } });
    expect(unreachable.facts.message).toBe('invalid face video provided');
    const client = lapisClient();
    const noPrefix = fromLiveliness(await client.verifyLiveliness(ctx(), { faceVideoBase64: 'AAAAGGZ0eXBpc29t', documentIdentificationId: documentId } as never), documentId);
    expect(noPrefix.facts.message).toBe('invalid base64 video provided');
    const both = fromLiveliness(await client.verifyLiveliness(ctx(), { faceVideo: 'https://x.example/v.mp4', faceVideoBase64: mp4DataUri(), documentIdentificationId: documentId }), documentId);
    expect(both.facts.message).toBe('only one face video is accepted!');
    const unknown = await verifyLiveliness(ctx(), { documentId: 'no-such-document', video: { base64: mp4DataUri() } });
    expect(unknown.facts.message).toBe(NO_DOCUMENT);
  });

  it('when a second open request uses the same email or phone, then 409; once the first is accepted, the email is free again', async () => {
    const documentId = await newDocumentId();
    const who = applicant();
    expect((await createKycRequest(ctx(), { ...who, documentId })).facts.httpStatus).toBe(201);

    const sameEmail = await createKycRequest(ctx(), { ...applicant(), email: who.email, documentId });
    const samePhone = await createKycRequest(ctx(), { ...applicant(), phoneNumber: who.phoneNumber, documentId });
    expect(sameEmail.facts.httpStatus).toBe(409);
    expect(samePhone.facts.httpStatus).toBe(409);
    expect(suiteCode(map, 'kyc_request_create', sameEmail.facts)).toBe('provider_duplicate_request');

    const first = (await listKycRequests(ctx(), { accepted: false })).data?.requests.find((r) => r.email === who.email);
    await acceptKycRequest(ctx(), { requestId: first?.requestId as string });
    expect((await createKycRequest(ctx(), { ...applicant(), email: who.email, documentId })).facts.httpStatus).toBe(201);
  });

  it('when a request is created for an unknown document, then 400 with the no-document message', async () => {
    const outcome = await createKycRequest(ctx(), { ...applicant(), documentId: 'no-such-document' });
    expect(outcome.facts).toEqual({ httpStatus: 400, message: NO_DOCUMENT, requestId: 'no-such-document' });
    expect(suiteCode(map, 'kyc_request_create', outcome.facts)).toBe('resource_not_found');
  });

  it('when an unknown request is accepted, then 400 {"message":"Kyc request not accepted"}', async () => {
    const outcome = await acceptKycRequest(ctx(), { requestId: '12345' });
    expect(outcome.facts).toEqual({ httpStatus: 400, message: 'Kyc request not accepted', requestId: '12345' });
    expect(suiteCode(map, 'kyc_request_accept', outcome.facts)).toBe('resource_not_found');
  });

  it('when the api key is wrong, then every endpoint answers 401 "invalid api key"', async () => {
    const bad = ctx({ credentials: { apiKey: 'wrong' } });
    const outcomes = await Promise.all([
      uploadDocument(bad, { front: { base64: pngBase64() } }),
      authenticateFace(bad, { documentId: 'd', face: { base64: pngBase64() } }),
      verifyLiveliness(bad, { documentId: 'd', video: { base64: mp4DataUri() } }),
      createKycRequest(bad, { ...applicant(), documentId: 'd' }),
      acceptKycRequest(bad, { requestId: '1' }),
      listKycRequests(bad, { accepted: true }),
      getKycRequest(bad, { requestId: '1' }),
      deleteKycRequest(bad, { requestId: '1' }),
    ]);
    for (const outcome of outcomes) expect(outcome.facts).toMatchObject({ httpStatus: 401, message: 'invalid api key' });
    expect(state.billing().totalCharged).toBe(0);
  });

  it('when the body is over the body limit, then the plain-text 413 "Request Entity Too Large"', async () => {
    const res = await fetch(`${sim.url}/api/document-upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': LAPIS_SIMULATOR_API_KEY },
      body: JSON.stringify({ frontImageBase64: 'A'.repeat(LAPIS_SIMULATOR_BASE64_LIMIT + 128 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('Request Entity Too Large');
  });

  it('when the base64 payloads pass 30 MiB inside the body limit, then the same plain-text 413, read by the adapter as the documented fact', async () => {
    const raw = await lapisClient().authenticateFace(ctx({ timeoutMs: 10_000 }), { faceImageBase64: 'A'.repeat(LAPIS_SIMULATOR_BASE64_LIMIT + 4), documentIdentificationId: 'd' });
    const outcome = fromFaceAuthentication(raw, 'd');
    expect(outcome.facts).toEqual({ httpStatus: 413, message: 'Request Entity Too Large', requestId: 'd' });
    expect(suiteCode(map, 'face_authentication', outcome.facts)).toBe('invalid_request');
    expect(state.billing().scenarios.too_large).toEqual({ calls: 1, charged: 0 });
  });
});

describe('Lapis simulator: fault knobs', () => {
  const setFaults = (faults: Record<string, unknown>) =>
    fetch(`${sim.url}/__sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) }).then((r) => r.json());

  it('when the quota is exhausted, then billable calls answer 429 {"error":"quota exceeded"} and request management still works', async () => {
    await setFaults({ quotaExhausted: true });
    const outcome = await uploadDocument(ctx(), { front: { base64: pngBase64() } });
    expect(outcome.facts).toEqual({ httpStatus: 429, message: 'quota exceeded' });
    expect(map.classify('lapis', 'document_upload', outcome.facts).row).toMatchObject({ suiteCode: 'provider_quota_exhausted', accountHealth: 'quota_exhausted' });
    expect((await listKycRequests(ctx(), { accepted: false })).facts.httpStatus).toBe(200);
    expect(state.billing().totalCharged).toBe(0);
  });

  it('when serverError is on, then 500 {"error":"Internal Server Error"}, a free breaker failure', async () => {
    await setFaults({ serverError: true });
    const outcome = await uploadDocument(ctx(), { front: { base64: pngBase64() } });
    expect(outcome.facts).toEqual({ httpStatus: 500, message: 'Internal Server Error' });
    expect(map.classify('lapis', 'document_upload', outcome.facts).row).toMatchObject({ suiteCode: 'provider_unavailable', charged: 'free', breaker: true, failover: true });
  });

  it('when malformedBody is on, then a 200 that is not JSON becomes malformed_body with an unknown charge', async () => {
    await setFaults({ malformedBody: true });
    const documentId = 'd1';
    const outcome = await authenticateFace(ctx(), { documentId, face: { base64: pngBase64() } });
    expect(outcome.facts).toEqual({ transport: 'malformed_body', httpStatus: 200, requestId: documentId });
    expect(map.classify('lapis', 'face_authentication', outcome.facts).row).toMatchObject({ suiteCode: 'upstream_unmapped', charged: 'unknown' });
  });

  it('when hangAfterReceive is on, then the call times out after sending', async () => {
    await setFaults({ hangAfterReceive: true });
    const outcome = await uploadDocument(ctx({ timeoutMs: 200 }), { front: { base64: pngBase64() } });
    expect(outcome.facts).toEqual({ transport: 'timeout' });
    expect(suiteCode(map, 'document_upload', outcome.facts)).toBe('provider_timeout');
  });

  it('when latency exceeds the call timeout, then the call times out; under it, the call succeeds', async () => {
    await setFaults({ latencyMs: 400 });
    expect((await uploadDocument(ctx({ timeoutMs: 100 }), { front: { base64: pngBase64() } })).facts).toEqual({ transport: 'timeout' });
    expect((await uploadDocument(ctx({ timeoutMs: 2000 }), { front: { base64: pngBase64() } })).facts.httpStatus).toBe(200);
  });

  it('when an error rate is set with a seed, then the same calls fail in the same places on replay', async () => {
    const run = async () => {
      await setFaults({ errorRate: 0.5, seed: 42 });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i += 1) statuses.push((await listKycRequests(ctx(), { accepted: true })).facts.httpStatus as number);
      return statuses;
    };
    const first = await run();
    expect(new Set(first)).toEqual(new Set([200, 500]));
    expect(await run()).toEqual(first);
  });

  it('when a base URL has nothing listening, then connection_refused (free, failover)', async () => {
    const { app } = lapisSimulator();
    const closed = await listen(app);
    await closed.close();
    const outcome = await uploadDocument(ctx({ baseUrl: closed.url }), { front: { base64: pngBase64() } });
    expect(outcome.facts).toEqual({ transport: 'connection_refused' });
    expect(map.classify('lapis', 'document_upload', outcome.facts).row).toMatchObject({ charged: 'free', failover: true });
  });
});
