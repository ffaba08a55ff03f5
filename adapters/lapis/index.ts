import { flow, operation } from '../declare';
import type { AdapterDeclaration, AdapterOutcome, CallContext, StepData } from '../types';
import { DEFAULT_LAPIS_PATHS, lapisClient, type LapisPaths } from './client';
import {
  LapisDocumentUploadInput,
  LapisEkycRequestInput,
  LapisFaceAuthenticationInput,
  LapisKycRequestCreateInput,
  LapisKycRequestFindInput,
  LapisKycRequestIdInput,
  LapisKycRequestListInput,
  LapisLivelinessInput,
} from './schemas';
import { LAPIS_SIMULATOR_API_KEY, startLapisSimulator } from './simulator';
import {
  fromDocumentUpload,
  fromFaceAuthentication,
  fromKycRequestAccept,
  fromKycRequestCreate,
  fromKycRequestDelete,
  fromKycRequestFind,
  fromKycRequestGet,
  fromKycRequestList,
  fromLiveliness,
  toApplicant,
  toDocumentUploadBody,
  toFaceAuthenticationBody,
  toIdBody,
  toKycRequestCreateBody,
  toListAccepted,
  toLivelinessBody,
  toRequestId,
  urlsOf,
  type LapisDocumentData,
  type LapisFaceData,
  type LapisFoundRequest,
  type LapisLivelinessData,
  type LapisMessageData,
  type LapisRequestsData,
} from './transform';

export { DEFAULT_LAPIS_PATHS, lapisClient, type LapisPaths } from './client';

// Each operation: validate and translate the input (throws AppError before any call), exchange, read the answer.
// `paths` overrides the assumed vendor paths for a deployment (see LapisPaths).

export async function uploadDocument(
  ctx: CallContext,
  input: LapisDocumentUploadInput,
  paths?: Partial<LapisPaths>,
): Promise<AdapterOutcome<LapisDocumentData>> {
  const body = toDocumentUploadBody(input);
  return fromDocumentUpload(await lapisClient(paths).uploadDocument(ctx, body));
}

export async function authenticateFace(
  ctx: CallContext,
  input: LapisFaceAuthenticationInput,
  paths?: Partial<LapisPaths>,
): Promise<AdapterOutcome<LapisFaceData>> {
  const body = toFaceAuthenticationBody(input);
  return fromFaceAuthentication(await lapisClient(paths).authenticateFace(ctx, body), body.documentIdentificationId);
}

export async function verifyLiveliness(
  ctx: CallContext,
  input: LapisLivelinessInput,
  paths?: Partial<LapisPaths>,
): Promise<AdapterOutcome<LapisLivelinessData>> {
  const body = toLivelinessBody(input);
  return fromLiveliness(await lapisClient(paths).verifyLiveliness(ctx, body), body.documentIdentificationId);
}

export async function createKycRequest(
  ctx: CallContext,
  input: LapisKycRequestCreateInput,
  paths?: Partial<LapisPaths>,
): Promise<AdapterOutcome<LapisMessageData>> {
  const body = toKycRequestCreateBody(input);
  return fromKycRequestCreate(await lapisClient(paths).createRequest(ctx, body), body.documentIdentificationId);
}

export async function acceptKycRequest(
  ctx: CallContext,
  input: LapisKycRequestIdInput,
  paths?: Partial<LapisPaths>,
): Promise<AdapterOutcome<LapisMessageData>> {
  const body = toIdBody(input);
  return fromKycRequestAccept(await lapisClient(paths).acceptRequest(ctx, body), body.id);
}

export async function listKycRequests(
  ctx: CallContext,
  input: LapisKycRequestListInput,
  paths?: Partial<LapisPaths>,
): Promise<AdapterOutcome<LapisRequestsData>> {
  const accepted = toListAccepted(input);
  return fromKycRequestList(await lapisClient(paths).listRequests(ctx, accepted));
}

export async function findKycRequest(
  ctx: CallContext,
  input: LapisKycRequestFindInput,
  paths?: Partial<LapisPaths>,
): Promise<AdapterOutcome<LapisFoundRequest | undefined>> {
  const applicant = toApplicant(input);
  return fromKycRequestFind(await lapisClient(paths).listRequests(ctx, false), applicant);
}

export async function getKycRequest(
  ctx: CallContext,
  input: LapisKycRequestIdInput,
  paths?: Partial<LapisPaths>,
): Promise<AdapterOutcome<LapisRequestsData>> {
  const id = toRequestId(input);
  return fromKycRequestGet(await lapisClient(paths).getRequest(ctx, id), id);
}

export async function deleteKycRequest(
  ctx: CallContext,
  input: LapisKycRequestIdInput,
  paths?: Partial<LapisPaths>,
): Promise<AdapterOutcome<LapisMessageData>> {
  const body = toIdBody(input);
  return fromKycRequestDelete(await lapisClient(paths).deleteRequest(ctx, body), body.id);
}

/** What a step of the eKYC flow answered (the flow only reads data of steps that answered with a verdict). */
const stepData = <T>(done: StepData, operation: string) => done.get(operation) as T;
const documentIdOf = (done: StepData) => stepData<LapisDocumentData>(done, 'document_upload').documentId;
const requestIdOf = (done: StepData) => stepData<LapisFoundRequest>(done, 'kyc_request_find').requestId;

/**
 * Lapis eKYC (Rubi Labs): document upload -> face match -> liveliness video -> eKYC request, then an email
 * OTP and phone call to the user and a manual accept by the partner (reference/providers.md section 2).
 * The `ekyc_request` check is that whole flow, walked by the gateway as an asynchronous verification: upload,
 * face match, liveliness (with a video), create, find the new request (create answers without its id),
 * accept once the person validated it, retrieve. Three paths were not
 * captured from the vendor's docs: `reach.paths` names our assumptions (client.ts explains each), which a
 * deployment corrects in config/providers.json. Prices are indicative list prices.
 */
export const lapis: AdapterDeclaration = {
  id: 'lapis',
  displayName: 'Lapis eKYC',
  transport: 'http',
  credentials: ['apiKey'],
  reach: {
    timeoutMs: 15000,
    live: { baseUrl: 'https://kyc-be.rubilink.app', credentialEnv: { apiKey: 'LAPIS_API_KEY' } },
    sandbox: { port: 7103, credentials: { apiKey: LAPIS_SIMULATOR_API_KEY } },
    paths: {
      documentUpload: DEFAULT_LAPIS_PATHS.documentUpload,
      liveliness: DEFAULT_LAPIS_PATHS.liveliness,
      getRequest: DEFAULT_LAPIS_PATHS.getRequest,
    },
  },
  simulator: startLapisSimulator,
  operations: {
    document_upload: operation({
      endpoint: `POST ${DEFAULT_LAPIS_PATHS.documentUpload} (path assumed)`,
      serves: 'document',
      input: LapisDocumentUploadInput,
      call: (ctx, input) => uploadDocument(ctx, input, ctx.paths),
      fetchedUrls: (input) => urlsOf({ front: input.front, back: input.back, side: input.side }),
      listPrice: 5000,
    }),
    face_authentication: operation({
      endpoint: `POST ${DEFAULT_LAPIS_PATHS.faceAuthentication}`,
      serves: 'face_match',
      input: LapisFaceAuthenticationInput,
      call: (ctx, input) => authenticateFace(ctx, input, ctx.paths),
      fetchedUrls: (input) => urlsOf({ face: input.face }),
      listPrice: 4000,
    }),
    liveliness: operation({
      endpoint: `POST ${DEFAULT_LAPIS_PATHS.liveliness} (path assumed)`,
      serves: 'liveness',
      input: LapisLivelinessInput,
      call: (ctx, input) => verifyLiveliness(ctx, input, ctx.paths),
      fetchedUrls: (input) => urlsOf({ video: input.video }),
      listPrice: 6000,
    }),
    kyc_request_create: operation({
      endpoint: `POST ${DEFAULT_LAPIS_PATHS.createRequest}`,
      serves: null,
      input: LapisKycRequestCreateInput,
      call: (ctx, input) => createKycRequest(ctx, input, ctx.paths),
    }),
    kyc_request_accept: operation({
      endpoint: `PUT ${DEFAULT_LAPIS_PATHS.acceptRequest}`,
      serves: null,
      input: LapisKycRequestIdInput,
      call: (ctx, input) => acceptKycRequest(ctx, input, ctx.paths),
    }),
    kyc_request_list: operation({
      endpoint: `GET ${DEFAULT_LAPIS_PATHS.listRequests}?accepted=true|false`,
      serves: null,
      input: LapisKycRequestListInput,
      call: (ctx, input) => listKycRequests(ctx, input, ctx.paths),
    }),
    kyc_request_find: operation({
      endpoint: `GET ${DEFAULT_LAPIS_PATHS.listRequests}?accepted=false, the one of this email and phone number`,
      serves: null,
      input: LapisKycRequestFindInput,
      call: (ctx, input) => findKycRequest(ctx, input, ctx.paths),
    }),
    kyc_request_get: operation({
      endpoint: `GET ${DEFAULT_LAPIS_PATHS.getRequest} (path assumed)`,
      serves: null,
      input: LapisKycRequestIdInput,
      call: (ctx, input) => getKycRequest(ctx, input, ctx.paths),
    }),
    kyc_request_delete: operation({
      endpoint: `DELETE ${DEFAULT_LAPIS_PATHS.deleteRequest}`,
      serves: null,
      input: LapisKycRequestIdInput,
      call: (ctx, input) => deleteKycRequest(ctx, input, ctx.paths),
    }),
    ekyc_request: flow({
      endpoint: 'document upload, face authentication, liveliness, kyc-request, requests?accepted=false, accept, requests/{id}',
      serves: 'ekyc_request',
      input: LapisEkycRequestInput,
      fetchedUrls: (input) =>
        urlsOf({
          'document.front': input.document.front,
          'document.back': input.document.back,
          'document.side': input.document.side,
          face: input.face,
          video: input.video,
        }),
      steps: [
        { operation: 'document_upload', input: (input) => input.document },
        { operation: 'face_authentication', input: (input, done) => ({ documentId: documentIdOf(done), face: input.face }) },
        {
          operation: 'liveliness',
          when: (input) => input.video !== undefined,
          input: (input, done) => ({ documentId: documentIdOf(done), video: input.video }),
        },
        {
          operation: 'kyc_request_create',
          input: (input, done) => ({ email: input.email, phoneNumber: input.phoneNumber, documentId: documentIdOf(done) }),
        },
        // Found, and validated once the person did the email OTP and the phone call: until then the flow waits.
        { operation: 'kyc_request_find', input: (input) => ({ email: input.email, phoneNumber: input.phoneNumber }), waits: true },
        // The partner's acceptance: the steps before it are the review's evidence, and the person has validated.
        { operation: 'kyc_request_accept', input: (_input, done) => ({ requestId: requestIdOf(done) }) },
        { operation: 'kyc_request_get', input: (_input, done) => ({ requestId: requestIdOf(done) }) },
      ],
      repeatable: ['kyc_request_find', 'kyc_request_get'],
      result: (done) => {
        const document = stepData<LapisDocumentData | undefined>(done, 'document_upload');
        const face = stepData<LapisFaceData | undefined>(done, 'face_authentication');
        const found = stepData<LapisFoundRequest | undefined>(done, 'kyc_request_find');
        const final = stepData<LapisRequestsData | undefined>(done, 'kyc_request_get')?.requests[0];
        return {
          requestId: found?.requestId ?? null,
          documentId: document?.documentId ?? null,
          faceScore: face?.score ?? null,
          liveness: done.has('liveliness') ? 'passed' : 'not_requested',
          validated: final?.isValidated ?? found?.isValidated ?? false,
          accepted: final?.isAccepted ?? false,
          document: document?.extracted ?? {},
        };
      },
    }),
  },
};
