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
import { LAPIS_MARKERS, LAPIS_SIMULATOR_API_KEY, LAPIS_SIMULATOR_BASE64_LIMIT, lapisSimulator } from '../../../adapters/lapis/simulator';
import { fromDocumentUpload, fromFaceAuthentication, fromKycRequestCreate, fromLiveliness } from '../../../adapters/lapis/transform';
import { exchange } from '../../../adapters/http';
import { listen, type RunningSimulator } from '../../../adapters/simulator-kit';
import type { AdapterOutcome, CallContext } from '../../../adapters/types';
import type { Charge } from '../../../src/errors/app-error';
import { resolveCharge } from '../../../src/gateway/error-map';
import { lapisErrorMap, mp4DataUri, pngBase64 } from './fixtures';

const { map, cleanup } = lapisErrorMap();
let sim: RunningSimulator;
const ctx = (over: Partial<CallContext> = {}): CallContext => ({ baseUrl: sim.url, credentials: { apiKey: LAPIS_SIMULATOR_API_KEY }, timeoutMs: 5000, ...over });

beforeAll(async () => {
  sim = await listen(lapisSimulator().app);
});
afterAll(async () => {
  await sim?.close();
  cleanup();
  nock.restore();
});

const billing = async (): Promise<{ totalCalls: number; totalCharged: number; scenarios: Record<string, { calls: number; charged: number }> }> =>
  (await fetch(`${sim.url}/__sim/billing`)).json();
const setFaults = (faults: Record<string, unknown>) =>
  fetch(`${sim.url}/__sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });

interface Step {
  name: string;
  operation: string;
  call(): Promise<AdapterOutcome>;
  before?(): Promise<unknown>;
}

describe('Lapis billing: the mapping table and the simulator agree', () => {
  it('when a script runs through every scenario, then each call the table classifies as charged is the one the simulator billed, and the totals match', async () => {
    const documentId = (await uploadDocument(ctx(), { front: { base64: pngBase64() } })).data?.documentId as string;
    const bad = ctx({ credentials: { apiKey: 'wrong' } });
    const client = lapisClient();
    const someone = { email: 'billing@example.com', phoneNumber: '+628120000001' };
    let requestId = '';

    const steps: Step[] = [
      { name: 'document recognised', operation: 'document_upload', call: () => uploadDocument(ctx(), { front: { base64: pngBase64() } }) },
      { name: 'document not recognised', operation: 'document_upload', call: () => uploadDocument(ctx(), { front: { base64: pngBase64(LAPIS_MARKERS.unrecognisedDocument) } }) },
      { name: 'document URL unreachable', operation: 'document_upload', call: () => uploadDocument(ctx(), { front: { url: `https://x.example/${LAPIS_MARKERS.unreachableUrl}` } }) },
      { name: 'document base64 not an image', operation: 'document_upload', call: () => uploadDocument(ctx(), { front: { base64: Buffer.from('text').toString('base64') } }) },
      {
        name: 'document side sent twice',
        operation: 'document_upload',
        call: async () => fromDocumentUpload(await client.uploadDocument(ctx(), { frontImage: 'https://x.example/f.jpg', frontImageBase64: pngBase64() })),
      },
      { name: 'face match', operation: 'face_authentication', call: () => authenticateFace(ctx(), { documentId, face: { base64: pngBase64() } }) },
      { name: 'face mismatch', operation: 'face_authentication', call: () => authenticateFace(ctx(), { documentId, face: { base64: pngBase64(LAPIS_MARKERS.faceMismatch) } }) },
      { name: 'face URL unreachable', operation: 'face_authentication', call: () => authenticateFace(ctx(), { documentId, face: { url: `https://x.example/${LAPIS_MARKERS.unreachableUrl}` } }) },
      { name: 'face base64 not an image', operation: 'face_authentication', call: () => authenticateFace(ctx(), { documentId, face: { base64: Buffer.from('text').toString('base64') } }) },
      {
        name: 'face sent twice',
        operation: 'face_authentication',
        call: async () =>
          fromFaceAuthentication(await client.authenticateFace(ctx(), { faceImage: 'https://x.example/f.png', faceImageBase64: pngBase64(), documentIdentificationId: documentId }), documentId),
      },
      { name: 'face unknown document', operation: 'face_authentication', call: () => authenticateFace(ctx(), { documentId: 'missing', face: { base64: pngBase64() } }) },
      {
        name: 'face over 30 MiB',
        operation: 'face_authentication',
        call: async () => fromFaceAuthentication(await client.authenticateFace(ctx(), { faceImageBase64: 'A'.repeat(LAPIS_SIMULATOR_BASE64_LIMIT + 4), documentIdentificationId: documentId }), documentId),
      },
      { name: 'liveliness passed', operation: 'liveliness', call: () => verifyLiveliness(ctx(), { documentId, video: { base64: mp4DataUri() } }) },
      { name: 'liveliness failed', operation: 'liveliness', call: () => verifyLiveliness(ctx(), { documentId, video: { base64: mp4DataUri(LAPIS_MARKERS.livenessSpoof) } }) },
      { name: 'liveliness URL unreachable', operation: 'liveliness', call: () => verifyLiveliness(ctx(), { documentId, video: { url: `https://x.example/${LAPIS_MARKERS.unreachableUrl}` } }) },
      {
        name: 'liveliness video without MIME prefix',
        operation: 'liveliness',
        call: async () => fromLiveliness(await client.verifyLiveliness(ctx(), { faceVideoBase64: 'AAAA', documentIdentificationId: documentId } as never), documentId),
      },
      {
        name: 'liveliness video sent twice',
        operation: 'liveliness',
        call: async () => fromLiveliness(await client.verifyLiveliness(ctx(), { faceVideo: 'https://x.example/v.mp4', faceVideoBase64: mp4DataUri(), documentIdentificationId: documentId }), documentId),
      },
      { name: 'liveliness unknown document', operation: 'liveliness', call: () => verifyLiveliness(ctx(), { documentId: 'missing', video: { base64: mp4DataUri() } }) },
      { name: 'request created', operation: 'kyc_request_create', call: () => createKycRequest(ctx(), { ...someone, documentId }) },
      { name: 'request duplicate', operation: 'kyc_request_create', call: () => createKycRequest(ctx(), { ...someone, documentId }) },
      { name: 'request unknown document', operation: 'kyc_request_create', call: () => createKycRequest(ctx(), { email: 'other@example.com', phoneNumber: '+628120000002', documentId: 'missing' }) },
      {
        name: 'request body not JSON',
        operation: 'kyc_request_create',
        call: async () =>
          fromKycRequestCreate(
            await exchange(ctx(), { method: 'POST', url: '/api/kyc-request', data: 'not json', headers: { 'x-api-key': LAPIS_SIMULATOR_API_KEY, 'content-type': 'application/json' } }),
            documentId,
          ),
      },
      {
        name: 'requests listed',
        operation: 'kyc_request_list',
        call: async () => {
          const outcome = await listKycRequests(ctx(), { accepted: false });
          requestId = outcome.data?.requests.find((r) => r.email === someone.email)?.requestId ?? '';
          return outcome;
        },
      },
      { name: 'request accepted', operation: 'kyc_request_accept', call: () => acceptKycRequest(ctx(), { requestId }) },
      { name: 'request not accepted', operation: 'kyc_request_accept', call: () => acceptKycRequest(ctx(), { requestId: '1' }) },
      { name: 'request fetched', operation: 'kyc_request_get', call: () => getKycRequest(ctx(), { requestId }) },
      { name: 'request deleted', operation: 'kyc_request_delete', call: () => deleteKycRequest(ctx(), { requestId }) },
      { name: 'wrong api key', operation: 'face_authentication', call: () => authenticateFace(bad, { documentId, face: { base64: pngBase64() } }) },
      { name: 'quota exhausted', operation: 'document_upload', before: () => setFaults({ quotaExhausted: true }), call: () => uploadDocument(ctx(), { front: { base64: pngBase64() } }) },
      { name: 'server error', operation: 'liveliness', before: () => setFaults({ serverError: true }), call: () => verifyLiveliness(ctx(), { documentId, video: { base64: mp4DataUri() } }) },
      { name: 'malformed body', operation: 'face_authentication', before: () => setFaults({ malformedBody: true }), call: () => authenticateFace(ctx(), { documentId, face: { base64: pngBase64() } }) },
      {
        name: 'hang after receive',
        operation: 'document_upload',
        before: () => setFaults({ hangAfterReceive: true }),
        call: () => uploadDocument(ctx({ timeoutMs: 200 }), { front: { base64: pngBase64() } }),
      },
    ];

    // The setup upload above is billed too; count it the same way as the script's calls.
    let expectedCharged = 1;
    const start = await billing();
    expect(start.totalCharged).toBe(1);
    const seen = new Map<string, Charge>();
    for (const step of steps) {
      await setFaults({ quotaExhausted: false, serverError: false, malformedBody: false, hangAfterReceive: false });
      await step.before?.();
      const before = (await billing()).totalCharged;
      const outcome = await step.call();
      const { row, unmapped } = map.classify('lapis', step.operation, outcome.facts);
      const charge = resolveCharge(row);
      seen.set(step.name, charge);
      const billed = (await billing()).totalCharged - before;

      // `unknown` is for the ledger to reconcile; this simulator never bills an answer it could not finish.
      expect({ step: step.name, billed }).toEqual({ step: step.name, billed: charge === 'charged' ? 1 : 0 });
      if (step.name !== 'request body not JSON') expect({ step: step.name, unmapped }).toEqual({ step: step.name, unmapped: false });
      if (charge === 'charged') expectedCharged += 1;
    }

    const end = await billing();
    expect(end.totalCharged).toBe(expectedCharged);
    expect([...seen].filter(([, c]) => c === 'charged').map(([name]) => name)).toEqual([
      'document recognised',
      'document not recognised',
      'face match',
      'face mismatch',
      'liveliness passed',
      'liveliness failed',
    ]);
    expect([...seen].filter(([, c]) => c === 'unknown').map(([name]) => name)).toEqual(['request body not JSON', 'malformed body', 'hang after receive']);
    // Every call that reached a route was counted by exactly one scenario; the hung call never got an answer.
    expect(end.totalCalls).toBe(1 + steps.length - 1);
    expect(Object.keys(end.scenarios).sort()).toEqual(
      [
        'bad_body',
        'document_invalid_input',
        'document_not_recognised',
        'document_recognised',
        'face_invalid_input',
        'face_match',
        'face_mismatch',
        'face_unknown_document',
        'liveliness_failed',
        'liveliness_invalid_input',
        'liveliness_passed',
        'liveliness_unknown_document',
        'malformed_body',
        'quota_exhausted',
        'request_accepted',
        'request_created',
        'request_deleted',
        'request_duplicate',
        'request_fetched',
        'request_not_accepted',
        'request_unknown_document',
        'requests_listed',
        'server_error',
        'too_large',
        'unauthorised',
      ].sort(),
    );
  });
});
