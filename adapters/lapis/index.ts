import { operation } from '../declare';
import type { AdapterDeclaration, AdapterOutcome, CallContext } from '../types';
import { DEFAULT_LAPIS_PATHS, lapisClient, type LapisPaths } from './client';
import {
  LapisDocumentUploadInput,
  LapisFaceAuthenticationInput,
  LapisKycRequestCreateInput,
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
  fromKycRequestGet,
  fromKycRequestList,
  fromLiveliness,
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
  type LapisLivelinessData,
  type LapisMessageData,
  type LapisRequestsData,
} from './transform';

export { DEFAULT_LAPIS_PATHS, lapisClient, type LapisPaths } from './client';

// Each operation: validate and translate the input (throws AppError before any call), exchange, read the answer.
// `paths` overrides the assumed vendor paths for a deployment (see LapisPaths).

export async function uploadDocument(ctx: CallContext, input: LapisDocumentUploadInput, paths?: Partial<LapisPaths>): Promise<AdapterOutcome<LapisDocumentData>> {
  const body = toDocumentUploadBody(input);
  return fromDocumentUpload(await lapisClient(paths).uploadDocument(ctx, body));
}

export async function authenticateFace(ctx: CallContext, input: LapisFaceAuthenticationInput, paths?: Partial<LapisPaths>): Promise<AdapterOutcome<LapisFaceData>> {
  const body = toFaceAuthenticationBody(input);
  return fromFaceAuthentication(await lapisClient(paths).authenticateFace(ctx, body), body.documentIdentificationId);
}

export async function verifyLiveliness(ctx: CallContext, input: LapisLivelinessInput, paths?: Partial<LapisPaths>): Promise<AdapterOutcome<LapisLivelinessData>> {
  const body = toLivelinessBody(input);
  return fromLiveliness(await lapisClient(paths).verifyLiveliness(ctx, body), body.documentIdentificationId);
}

export async function createKycRequest(ctx: CallContext, input: LapisKycRequestCreateInput, paths?: Partial<LapisPaths>): Promise<AdapterOutcome<LapisMessageData>> {
  const body = toKycRequestCreateBody(input);
  return fromKycRequestCreate(await lapisClient(paths).createRequest(ctx, body), body.documentIdentificationId);
}

export async function acceptKycRequest(ctx: CallContext, input: LapisKycRequestIdInput, paths?: Partial<LapisPaths>): Promise<AdapterOutcome<LapisMessageData>> {
  const body = toIdBody(input);
  return fromKycRequestAccept(await lapisClient(paths).acceptRequest(ctx, body), body.id);
}

export async function listKycRequests(ctx: CallContext, input: LapisKycRequestListInput, paths?: Partial<LapisPaths>): Promise<AdapterOutcome<LapisRequestsData>> {
  const accepted = toListAccepted(input);
  return fromKycRequestList(await lapisClient(paths).listRequests(ctx, accepted));
}

export async function getKycRequest(ctx: CallContext, input: LapisKycRequestIdInput, paths?: Partial<LapisPaths>): Promise<AdapterOutcome<LapisRequestsData>> {
  const id = toRequestId(input);
  return fromKycRequestGet(await lapisClient(paths).getRequest(ctx, id), id);
}

export async function deleteKycRequest(ctx: CallContext, input: LapisKycRequestIdInput, paths?: Partial<LapisPaths>): Promise<AdapterOutcome<LapisMessageData>> {
  const body = toIdBody(input);
  return fromKycRequestDelete(await lapisClient(paths).deleteRequest(ctx, body), body.id);
}

/**
 * Lapis eKYC (Rubi Labs): document upload -> face match -> liveliness video -> eKYC request, then an email
 * OTP and phone call to the user and a manual accept by the partner (reference/providers.md section 2).
 * The kyc_request operations are the steps after the checks, for the multi-step flow. Three paths were not
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
  },
};
