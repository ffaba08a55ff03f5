import type { AdapterDeclaration, AdapterOutcome, CallContext } from '../types';
import { DEFAULT_LAPIS_PATHS, lapisClient, type LapisPaths } from './client';
import type {
  LapisDocumentUploadInput,
  LapisFaceAuthenticationInput,
  LapisKycRequestCreateInput,
  LapisKycRequestIdInput,
  LapisKycRequestListInput,
  LapisLivelinessInput,
} from './schemas';
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
  type LapisDocumentData,
  type LapisFaceData,
  type LapisLivelinessData,
  type LapisMessageData,
  type LapisRequestsData,
} from './transform';

export { DEFAULT_LAPIS_PATHS, lapisClient, type LapisPaths } from './client';

/**
 * Lapis eKYC (Rubi Labs): document upload -> face match -> liveliness video -> eKYC request, then an email
 * OTP and phone call to the user and a manual accept by the partner (reference/providers.md section 2).
 * Operation names are the `operation` keys of config/error-map/lapis.json.
 */
export const lapis: AdapterDeclaration = {
  id: 'lapis',
  displayName: 'Lapis eKYC',
  transport: 'http',
  credentials: ['apiKey'],
  operations: {
    document_upload: { endpoint: `POST ${DEFAULT_LAPIS_PATHS.documentUpload} (path assumed)`, serves: 'document' },
    face_authentication: { endpoint: `POST ${DEFAULT_LAPIS_PATHS.faceAuthentication}`, serves: 'face_match' },
    liveliness: { endpoint: `POST ${DEFAULT_LAPIS_PATHS.liveliness} (path assumed)`, serves: 'liveness' },
    kyc_request_create: { endpoint: `POST ${DEFAULT_LAPIS_PATHS.createRequest}`, serves: null },
    kyc_request_accept: { endpoint: `PUT ${DEFAULT_LAPIS_PATHS.acceptRequest}`, serves: null },
    kyc_request_list: { endpoint: `GET ${DEFAULT_LAPIS_PATHS.listRequests}?accepted=true|false`, serves: null },
    kyc_request_get: { endpoint: `GET ${DEFAULT_LAPIS_PATHS.getRequest} (path assumed)`, serves: null },
    kyc_request_delete: { endpoint: `DELETE ${DEFAULT_LAPIS_PATHS.deleteRequest}`, serves: null },
  },
};

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
