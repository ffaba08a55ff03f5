import type { z } from 'zod';
import { AppError } from '../../src/errors/app-error';
import { compact, parseBody, readAnswer, type RawExchange } from '../http';
import type { AdapterOutcome, FetchedUrl, UpstreamFacts } from '../types';
import {
  LAPIS_MAX_BASE64_BYTES,
  LapisDocumentUploadInput,
  LapisDocumentUploadResponse,
  LapisErrorBody,
  LapisFaceAuthenticationInput,
  LapisFaceAuthenticationResponse,
  LapisKycRequestCreateInput,
  LapisKycRequestFindInput,
  LapisKycRequestIdInput,
  LapisKycRequestListInput,
  LapisLivelinessInput,
  LapisLivelinessResponse,
  LapisMessageResponse,
  LapisRequestsResponse,
  type LapisDocumentUploadRequest,
  type LapisFaceAuthenticationRequest,
  type LapisIdInformation,
  type LapisIdRequest,
  type LapisImageSource,
  type LapisKycRequest,
  type LapisKycRequestCreateRequest,
  type LapisLivelinessRequest,
  type LapisVideoSource,
} from './schemas';

/**
 * Pure translations between the suite and Lapis. Lapis has no error codes: every answer is reported as
 * its HTTP status plus the exact `error` / `message` string, which config/error-map/lapis.json matches.
 */

// ---------------------------------------------------------------------------------------------------
// Normalised data the adapter returns.
// ---------------------------------------------------------------------------------------------------

/** Extracted document fields, renamed to the suite's camelCase; dates as YYYY-MM-DD where Lapis gives YYYY/MM/DD. */
export interface LapisExtractedDocument {
  documentNumber?: string;
  fullName?: string;
  firstName?: string;
  middleName?: string;
  lastName?: string;
  dateOfBirth?: string;
  dateOfExpiry?: string;
  dateOfIssue?: string;
  address?: string;
  documentType?: string;
  documentSide?: string;
  issueAuthority?: string;
  /** ISO 3166-1 alpha-2. */
  issuerCountry?: string;
  /** ISO 3166-1 alpha-2. */
  nationality?: string;
}

export interface LapisDocumentData {
  documentId: string;
  extracted: LapisExtractedDocument;
}

export interface LapisFaceData {
  documentId: string;
  /** Similarity 0..1 as Lapis reports it (1 = 100% match). */
  score: number;
}

export interface LapisLivelinessData {
  documentId: string;
  /** Present only if Lapis sends one (its success body was not captured). */
  score?: number;
}

export interface LapisMessageData {
  message: string;
}

/** An eKYC request without its image URLs: the gateway needs the state, not the pictures. */
export interface LapisKycRequestData {
  requestId: string;
  email: string;
  phoneNumber: string;
  isValidated: boolean;
  isAccepted: boolean;
  faceMatch?: number;
  document: LapisExtractedDocument;
}

export interface LapisRequestsData {
  requests: LapisKycRequestData[];
}

/** One open request found by its applicant's email and phone number: its id and state, nothing of the others listed. */
export type LapisFoundRequest = Pick<LapisKycRequestData, 'requestId' | 'isValidated' | 'isAccepted'>;

// ---------------------------------------------------------------------------------------------------
// Suite input -> Lapis body. Invalid input and oversized payloads throw before any upstream call.
// ---------------------------------------------------------------------------------------------------

function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const param = issue?.path.map(String).join('.') || undefined;
  throw new AppError('invalid_request', { params: { detail: `${param ? `${param}: ` : ''}${issue?.message ?? 'invalid input'}` }, param });
}

/**
 * Refuses a call whose base64 payloads add up to more than Lapis accepts: Lapis would answer a free 413,
 * but only after the megabytes were uploaded. `fields` are [input path, base64 text] pairs.
 */
function assertWithinLimit(fields: ReadonlyArray<readonly [string, string | undefined]>): void {
  let total = 0;
  for (const [param, base64] of fields) {
    total += base64?.length ?? 0;
    if (total > LAPIS_MAX_BASE64_BYTES) {
      throw new AppError('invalid_request', {
        params: { detail: `base64 images and videos add up to more than Lapis' limit of ${LAPIS_MAX_BASE64_BYTES} bytes` },
        param,
      });
    }
  }
}

/** The sources Lapis downloads itself (`url`), by input path: the gateway checks each before any call. */
export const urlsOf = (sources: Record<string, LapisImageSource | LapisVideoSource | undefined>): FetchedUrl[] =>
  Object.entries(sources).flatMap(([param, source]) => (source && 'url' in source ? [{ param: `${param}.url`, url: source.url }] : []));

const base64Of = (source: LapisImageSource | LapisVideoSource | undefined) => (source && 'base64' in source ? source.base64 : undefined);

function imageFields(side: 'front' | 'back' | 'side', source: LapisImageSource | undefined): Partial<LapisDocumentUploadRequest> {
  if (!source) return {};
  return 'url' in source ? { [`${side}Image`]: source.url } : { [`${side}ImageBase64`]: source.base64 };
}

export function toDocumentUploadBody(input: LapisDocumentUploadInput): LapisDocumentUploadRequest {
  const doc = parseInput(LapisDocumentUploadInput, input);
  assertWithinLimit([
    ['front.base64', base64Of(doc.front)],
    ['back.base64', base64Of(doc.back)],
    ['side.base64', base64Of(doc.side)],
  ]);
  return { ...imageFields('front', doc.front), ...imageFields('back', doc.back), ...imageFields('side', doc.side) };
}

export function toFaceAuthenticationBody(input: LapisFaceAuthenticationInput): LapisFaceAuthenticationRequest {
  const face = parseInput(LapisFaceAuthenticationInput, input);
  assertWithinLimit([['face.base64', base64Of(face.face)]]);
  const image = 'url' in face.face ? { faceImage: face.face.url } : { faceImageBase64: face.face.base64 };
  return { ...image, documentIdentificationId: face.documentId };
}

export function toLivelinessBody(input: LapisLivelinessInput): LapisLivelinessRequest {
  const live = parseInput(LapisLivelinessInput, input);
  assertWithinLimit([['video.base64', base64Of(live.video)]]);
  const video = 'url' in live.video ? { faceVideo: live.video.url } : { faceVideoBase64: live.video.base64 };
  return { ...video, documentIdentificationId: live.documentId };
}

export function toKycRequestCreateBody(input: LapisKycRequestCreateInput): LapisKycRequestCreateRequest {
  const create = parseInput(LapisKycRequestCreateInput, input);
  return { email: create.email, phoneNumber: create.phoneNumber, documentIdentificationId: create.documentId };
}

export function toIdBody(input: LapisKycRequestIdInput): LapisIdRequest {
  return { id: parseInput(LapisKycRequestIdInput, input).requestId };
}

/** The request id of get-one, validated like every other input. */
export const toRequestId = (input: LapisKycRequestIdInput): string => parseInput(LapisKycRequestIdInput, input).requestId;

export const toListAccepted = (input: LapisKycRequestListInput): boolean => parseInput(LapisKycRequestListInput, input).accepted;

export const toApplicant = (input: LapisKycRequestFindInput): LapisKycRequestFindInput => parseInput(LapisKycRequestFindInput, input);

// ---------------------------------------------------------------------------------------------------
// Lapis answer -> facts (+ data on success).
// ---------------------------------------------------------------------------------------------------

/** How one operation's success looks: its statuses, body schema and normalisation. */
interface Success<T, D> {
  statuses: readonly number[];
  schema: z.ZodType<T>;
  data(body: T): D;
  /** The id Lapis assigned in this answer, when it carries one. */
  requestId?(body: T): string | undefined;
  /** The answer's verdict for the mapping table (`result`), where a 200 alone does not say it. */
  result?(body: T): string;
}

/**
 * Statuses whose meaning the status alone carries: the 409 body was never captured, the 413 is plain text,
 * and 404/405 (a wrong assumed path), 429 and 5xx bodies are undocumented, often HTML from a proxy. Their
 * body only contributes a message when it has one; it is never a `malformed_body`.
 */
const STATUS_ONLY = new Set([404, 405, 409, 413, 429]);
const meaningInStatus = (status: number) => STATUS_ONLY.has(status) || status >= 500;

/** The longest vendor text kept as a message, in characters: enough for any documented line, not an HTML page. */
const MAX_TEXT_MESSAGE = 200;

/** `error` wins when a body has both: it is the key of every documented failure but one. */
function messageOf(body: LapisErrorBody): string {
  const b = body as { error?: unknown; message?: unknown };
  return typeof b.error === 'string' ? b.error : String(b.message);
}

function lenientMessage(status: number, text: string): string | undefined {
  const parsed = parseBody(text, LapisErrorBody);
  if (parsed.ok) return messageOf(parsed.value);
  const trimmed = text.trim();
  if (status === 413 && trimmed.length > 0 && trimmed.length <= MAX_TEXT_MESSAGE) return trimmed;
  return undefined;
}

/**
 * What a non-success answer adds to its status: Lapis' `error`/`message` line. Where the status alone
 * carries the meaning (STATUS_ONLY, 5xx) an unreadable body adds nothing; elsewhere it is unreadable.
 */
function errorFacts(status: number, text: string): UpstreamFacts {
  if (meaningInStatus(status)) return { message: lenientMessage(status, text) };
  const parsed = parseBody(text, LapisErrorBody);
  return parsed.ok ? { message: messageOf(parsed.value) } : { transport: parsed.transport };
}

/** One Lapis answer (adapters/http.ts readAnswer): a success's `message`, when it has one, is a fact too. */
function lapisAnswer<T, D>(raw: RawExchange, success: Success<T, D>, knownId?: string): AdapterOutcome<D> {
  return readAnswer(raw, {
    success: success.statuses,
    schema: success.schema,
    read: (body) => {
      const message = (body as { message?: unknown }).message;
      const requestId = success.requestId?.(body);
      const result = success.result?.(body);
      return {
        data: success.data(body),
        facts: compact({ message: typeof message === 'string' ? message : undefined, requestId, result }),
      };
    },
    error: errorFacts,
    knownId,
  });
}

const str = (v: string | number | null | undefined) => (v === null || v === undefined || v === '' ? undefined : String(v));
/** Lapis dates are YYYY/MM/DD (LP-LIST); the suite uses ISO 8601 dates. */
const isoDate = (v: string | null | undefined) => (v ? v.replace(/^(\d{4})\/(\d{2})\/(\d{2})$/, '$1-$2-$3') : undefined);

function extracted(info: LapisIdInformation | null | undefined): LapisExtractedDocument {
  if (!info) return {};
  const doc: LapisExtractedDocument = {
    documentNumber: str(info.documentNumber),
    fullName: str(info.fullName),
    firstName: str(info.firstName),
    middleName: str(info.middleName),
    lastName: str(info.lastName),
    dateOfBirth: isoDate(info.dob),
    dateOfExpiry: isoDate(info.expiry),
    dateOfIssue: isoDate(info.issued),
    address: str(info.address1),
    documentType: str(info.documentType),
    documentSide: str(info.documentSide),
    issueAuthority: str(info.issueAuthority),
    issuerCountry: str(info.issuerOrg_iso2),
    nationality: str(info.nationality_iso2),
  };
  return Object.fromEntries(Object.entries(doc).filter(([, v]) => v !== undefined));
}

function kycRequest(r: LapisKycRequest): LapisKycRequestData {
  return {
    requestId: r.id,
    email: r.email,
    phoneNumber: r.phoneNumber,
    isValidated: r.isValidated,
    isAccepted: r.isAccepted,
    ...(typeof r.faceMatch === 'number' ? { faceMatch: r.faceMatch } : {}),
    document: extracted(r.idInformation),
  };
}

const documentIdOf = (b: LapisDocumentUploadResponse) => (b.id ?? b.documentIdentificationId) as string;

/** Document upload: 200 or 201 (the status was not captured), with the document id as the ledger's request id. */
export const fromDocumentUpload = (raw: RawExchange): AdapterOutcome<LapisDocumentData> =>
  lapisAnswer(raw, {
    statuses: [200, 201],
    schema: LapisDocumentUploadResponse,
    data: (b) => ({ documentId: documentIdOf(b), extracted: extracted(b.idInformation) }),
    requestId: documentIdOf,
  });

export const fromFaceAuthentication = (raw: RawExchange, documentId: string): AdapterOutcome<LapisFaceData> =>
  lapisAnswer(raw, { statuses: [200], schema: LapisFaceAuthenticationResponse, data: (b) => ({ documentId, score: b.score }) }, documentId);

export const fromLiveliness = (raw: RawExchange, documentId: string): AdapterOutcome<LapisLivelinessData> =>
  lapisAnswer(
    raw,
    {
      statuses: [200],
      schema: LapisLivelinessResponse,
      data: (b) => ({ documentId, ...(b.score === undefined ? {} : { score: b.score }) }),
    },
    documentId,
  );

/** Create answers 201 `{"message":"Request submitted"}` without the new request's id; the document id is what is known. */
export const fromKycRequestCreate = (raw: RawExchange, documentId: string): AdapterOutcome<LapisMessageData> =>
  lapisAnswer(raw, { statuses: [201], schema: LapisMessageResponse, data: (b) => ({ message: b.message }) }, documentId);

export const fromKycRequestAccept = (raw: RawExchange, requestId: string): AdapterOutcome<LapisMessageData> =>
  lapisAnswer(raw, { statuses: [200], schema: LapisMessageResponse, data: (b) => ({ message: b.message }) }, requestId);

export const fromKycRequestDelete = (raw: RawExchange, requestId: string): AdapterOutcome<LapisMessageData> =>
  lapisAnswer(raw, { statuses: [200], schema: LapisMessageResponse, data: (b) => ({ message: b.message }) }, requestId);

export const fromKycRequestList = (raw: RawExchange): AdapterOutcome<LapisRequestsData> =>
  lapisAnswer(raw, { statuses: [200], schema: LapisRequestsResponse, data: (b) => ({ requests: b.requests.map(kycRequest) }) });

/** Get-one, with the request's state as the verdict: `accepted` (and validated), `open`, or `missing` (an empty list). */
export const fromKycRequestGet = (raw: RawExchange, requestId: string): AdapterOutcome<LapisRequestsData> =>
  lapisAnswer(
    raw,
    {
      statuses: [200],
      schema: LapisRequestsResponse,
      data: (b) => ({ requests: b.requests.map(kycRequest) }),
      result: (b) => {
        const found = b.requests[0];
        if (!found) return 'missing';
        return found.isAccepted && found.isValidated ? 'accepted' : 'open';
      },
    },
    requestId,
  );

/**
 * The open request of one applicant, from the list of open requests: Lapis' create answers without the new
 * request's id, and an email and a phone number belong to one open request at most (LP-CREATE). Only the
 * match's id and state are kept. Verdict: `validated` (the person did the email OTP and the phone call),
 * `awaiting_person`, or `not_found`.
 */
export const fromKycRequestFind = (
  raw: RawExchange,
  applicant: LapisKycRequestFindInput,
): AdapterOutcome<LapisFoundRequest | undefined> => {
  const match = (requests: readonly LapisKycRequest[]) =>
    requests.find((r) => r.email.toLowerCase() === applicant.email.toLowerCase() && r.phoneNumber === applicant.phoneNumber);
  return lapisAnswer(raw, {
    statuses: [200],
    schema: LapisRequestsResponse,
    data: (b) => {
      const found = match(b.requests);
      return found ? { requestId: found.id, isValidated: found.isValidated, isAccepted: found.isAccepted } : undefined;
    },
    // No ledger request id: the same request is looked for again while the person has not validated it.
    result: (b) => {
      const found = match(b.requests);
      if (!found) return 'not_found';
      return found.isValidated ? 'validated' : 'awaiting_person';
    },
  });
};
