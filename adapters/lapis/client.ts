import { AppError } from '../../src/errors/app-error';
import { exchange, type RawExchange } from '../http';
import type { CallContext } from '../types';
import type {
  LapisDocumentUploadRequest,
  LapisFaceAuthenticationRequest,
  LapisIdRequest,
  LapisKycRequestCreateRequest,
  LapisLivelinessRequest,
} from './schemas';

/**
 * Paths of the Lapis eKYC API, relative to the base URL (`https://kyc-be.rubilink.app` live). Three of
 * them were not captured from the vendor's docs (reference/providers.md section 7), so they can be
 * overridden per deployment without a code change.
 */
export interface LapisPaths {
  /**
   * POST, document upload. ASSUMED: the docs' upload page was not captured; the name follows the
   * kebab-case `/api/<action>` pattern of the documented paths (`/api/face-authentication`).
   */
  documentUpload: string;
  /** POST, face match against the uploaded document (documented, LP-FACE). */
  faceAuthentication: string;
  /**
   * POST, liveliness video. ASSUMED: the docs' page is "under maintenance" and shows no path; the name
   * follows the docs' own spelling of the step ("liveliness").
   */
  liveliness: string;
  /** POST, create the eKYC request (documented, LP-CREATE). */
  createRequest: string;
  /** PUT, accept a request by id (documented, LP-ACCEPT). */
  acceptRequest: string;
  /** GET, list requests with `?accepted=true|false` (documented, LP-LIST). */
  listRequests: string;
  /**
   * GET, one request; `{id}` is replaced by the URL-encoded request id. ASSUMED: LP-ONE puts the id in
   * the URL but the exact path was not captured; a sub-path of the list endpoint is the usual REST shape.
   */
  getRequest: string;
  /** DELETE with a JSON body `{id}` (documented, LP-DEL). */
  deleteRequest: string;
}

export const DEFAULT_LAPIS_PATHS: Readonly<LapisPaths> = Object.freeze({
  documentUpload: '/api/document-upload',
  faceAuthentication: '/api/face-authentication',
  liveliness: '/api/liveliness',
  createRequest: '/api/kyc-request',
  acceptRequest: '/api/accept',
  listRequests: '/api/requests',
  getRequest: '/api/requests/{id}',
  deleteRequest: '/api/delete-request',
});

/** Transport for each Lapis operation: the vendor's raw answer, never interpreted here. */
export interface LapisClient {
  uploadDocument(ctx: CallContext, body: LapisDocumentUploadRequest): Promise<RawExchange>;
  authenticateFace(ctx: CallContext, body: LapisFaceAuthenticationRequest): Promise<RawExchange>;
  verifyLiveliness(ctx: CallContext, body: LapisLivelinessRequest): Promise<RawExchange>;
  createRequest(ctx: CallContext, body: LapisKycRequestCreateRequest): Promise<RawExchange>;
  acceptRequest(ctx: CallContext, body: LapisIdRequest): Promise<RawExchange>;
  listRequests(ctx: CallContext, accepted: boolean): Promise<RawExchange>;
  getRequest(ctx: CallContext, id: string): Promise<RawExchange>;
  deleteRequest(ctx: CallContext, body: LapisIdRequest): Promise<RawExchange>;
}

/** Lapis wants these three headers on every call (LP-CREATE, LP-FACE, LP-ACCEPT, LP-LIST, LP-DEL). */
function headers(ctx: CallContext): Record<string, string> {
  const apiKey = ctx.credentials.apiKey;
  // Without a key the call could only earn a 401; the gateway is told the provider is not set up instead.
  if (!apiKey) throw new AppError('provider_not_configured', { params: { provider: 'lapis' }, provider: 'lapis', charged: 'free' });
  return { 'x-api-key': apiKey, 'Content-Type': 'application/json', Accept: 'application/json' };
}

/** A client on the given paths; unspecified ones keep their defaults. */
export function lapisClient(paths: Partial<LapisPaths> = {}): LapisClient {
  const p: LapisPaths = { ...DEFAULT_LAPIS_PATHS, ...paths };
  // async, so that a missing key rejects like every other failure instead of throwing synchronously.
  const send = async (ctx: CallContext, method: string, url: string, data?: unknown, params?: Record<string, string>) =>
    exchange(ctx, { method, url, data, params, headers: headers(ctx) });
  return {
    uploadDocument: (ctx, body) => send(ctx, 'POST', p.documentUpload, body),
    authenticateFace: (ctx, body) => send(ctx, 'POST', p.faceAuthentication, body),
    verifyLiveliness: (ctx, body) => send(ctx, 'POST', p.liveliness, body),
    createRequest: (ctx, body) => send(ctx, 'POST', p.createRequest, body),
    acceptRequest: (ctx, body) => send(ctx, 'PUT', p.acceptRequest, body),
    listRequests: (ctx, accepted) => send(ctx, 'GET', p.listRequests, undefined, { accepted: String(accepted) }),
    getRequest: (ctx, id) => send(ctx, 'GET', p.getRequest.replace('{id}', encodeURIComponent(id))),
    // Lapis takes the id in a JSON body even on DELETE (LP-DEL); axios sends `data` on any method.
    deleteRequest: (ctx, body) => send(ctx, 'DELETE', p.deleteRequest, body),
  };
}
