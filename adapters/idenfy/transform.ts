import type { z } from 'zod';
import { parseBody, readAnswer, type RawExchange } from '../http';
import type { AdapterOutcome, UpstreamFacts } from '../types';
import {
  IdenfyDataResponse,
  IdenfyErrorBody,
  IdenfyIdentificationsResponse,
  IdenfyStatusResponse,
  IdenfyTokenRequest,
  IdenfyTokenResponse,
  type IdenfyEventType,
  type IdenfyIdentificationsInput,
  type IdenfyOverallStatus,
  type IdenfyWebhookPayload,
} from './schemas';

/** What the suite asks of iDenfy's hosted flow (camelCase suite names, mapped onto the v2 token body). */
export interface IdenfyTokenInput {
  /** The integrator's customer reference, sent as iDenfy's `clientId` (printable ASCII, at most 100 characters). */
  clientId: string;
  /** Our reference echoed back in every webhook (at most 40 characters), e.g. the verification id. */
  externalRef?: string;
  /** `IDENTIFICATION` (document and selfie, iDenfy's default) or `DOCUMENT` (document only). */
  tokenType?: 'IDENTIFICATION' | 'DOCUMENT';
  /** Language of the hosted page (e.g. `en`, `id`). */
  locale?: string;
  /** ISO 3166-1 alpha-2 country of the document; any case. */
  country?: string;
  /** Document types offered (`ID_CARD`, `PASSPORT`, ...). */
  documents?: string[];
  /** HTTPS URL for this session's webhooks, overriding the dashboard's (must be enabled for the partner). */
  callbackUrl?: string;
  /** HTTPS URLs the user's browser is sent to after an approved, failed or unverified attempt. */
  successUrl?: string;
  errorUrl?: string;
  unverifiedUrl?: string;
  /** How long the link stays usable before the user starts, in seconds (1..2,592,000; iDenfy's default 3600). */
  expirySeconds?: number;
  /** How long the user has once the hosted page is open, in seconds (60..3600; iDenfy's default 600). */
  sessionSeconds?: number;
  /** Expected names and birth date; a difference from the document makes iDenfy answer SUSPECTED with mismatch tags. */
  firstName?: string;
  lastName?: string;
  /** `YYYY-MM-DD`. */
  dateOfBirth?: string;
}

/** The hosted session as the suite returns it. */
export interface IdenfySession {
  scanRef: string;
  authToken: string;
  /** Where to send the user: iDenfy's own link, or its documented redirect endpoint when the link is null. */
  redirectUrl: string;
  tokenType: string;
  /** When the link stops working if the user has not started, ISO 8601; absent when iDenfy did not echo `expiryTime`. */
  expiresAt?: string;
  /** Seconds the user has once the page is open, when echoed. */
  sessionLengthSeconds?: number;
  /** 8-digit code for the mobile flow, only when requested. */
  digitString?: string;
}

export interface IdenfyVerificationStatus {
  scanRef: string;
  clientId?: string;
  overall: IdenfyOverallStatus;
  final?: boolean;
  /** The reviewer's face verdict when there is one, else the automatic one. */
  face: string | null;
  /** The reviewer's document verdict when there is one, else the automatic one. */
  document: string | null;
  fraudTags: string[];
  mismatchTags: string[];
}

export interface IdenfyExtractedData {
  scanRef?: string;
  firstName: string | null;
  lastName: string | null;
  documentNumber: string | null;
  personalCode: string | null;
  dateOfBirth: string | null;
  documentExpiry: string | null;
  dateOfIssue: string | null;
  documentType: string | null;
  sex: string | null;
  nationality: string | null;
  issuingCountry: string | null;
}

export type TokenBodyResult = { ok: true; body: IdenfyTokenRequest } | { ok: false; param: string; detail: string };

/** Suite input -> the flat v2 token body, checked against iDenfy's documented limits before anything is sent. */
export function toTokenBody(input: IdenfyTokenInput): TokenBodyResult {
  const parsed = IdenfyTokenRequest.safeParse({
    clientId: input.clientId,
    externalRef: input.externalRef,
    tokenType: input.tokenType,
    locale: input.locale,
    country: input.country?.toUpperCase(),
    documents: input.documents,
    callbackUrl: input.callbackUrl,
    successUrl: input.successUrl,
    errorUrl: input.errorUrl,
    unverifiedUrl: input.unverifiedUrl,
    expiryTime: input.expirySeconds,
    sessionLength: input.sessionSeconds,
    firstName: input.firstName,
    lastName: input.lastName,
    dateOfBirth: input.dateOfBirth,
  });
  if (parsed.success) return { ok: true, body: parsed.data };
  const issue = parsed.error.issues[0];
  const param = String(issue?.path[0] ?? '');
  return { ok: false, param: SUITE_NAMES[param] ?? param, detail: `${SUITE_NAMES[param] ?? param}: ${issue?.message ?? 'invalid'}` };
}

/** iDenfy field -> the suite's name for it, so a rejected field is reported in the integrator's words. */
const SUITE_NAMES: Record<string, string> = { expiryTime: 'expirySeconds', sessionLength: 'sessionSeconds' };

/**
 * What a non-success answer adds to its status (which readAnswer keeps): iDenfy's identifier and message.
 * The status is the fact that matters: when a proxy replaced the
 * body (an HTML 502 page, an empty 405) the status still says what happened, so an unreadable error
 * body is not reported as a transport failure.
 */
function errorFacts(text: string): UpstreamFacts {
  const parsed = parseBody(text, IdenfyErrorBody);
  if (!parsed.ok) return {};
  const { identifier, message } = parsed.value;
  return { ...(identifier !== undefined && { code: identifier }), message };
}

function outcome<T, D>(
  raw: RawExchange,
  success: readonly number[],
  schema: z.ZodType<T>,
  read: (value: T) => { data: D; facts: UpstreamFacts },
): AdapterOutcome<D> {
  return readAnswer(raw, { success, schema, read, error: (_status, text) => errorFacts(text) });
}

/** The redirect endpoint iDenfy documents as an alternative to `redirectUrl` (ID-TOK). */
export const redirectEndpoint = (baseUrl: string, authToken: string) =>
  `${baseUrl.replace(/\/+$/, '')}/api/v2/redirect?authToken=${encodeURIComponent(authToken)}`;

/** POST /api/v2/token answer -> facts and the hosted session. `now` dates the expiry (pure: no clock inside). */
export function tokenOutcome(raw: RawExchange, options: { baseUrl: string; now: Date }): AdapterOutcome<IdenfySession> {
  // The OAS says 201, the legacy docs and seed 002's sample code 200: both are success.
  return outcome(raw, [200, 201], IdenfyTokenResponse, (t) => ({
    facts: { requestId: t.scanRef },
    data: {
      scanRef: t.scanRef,
      authToken: t.authToken,
      redirectUrl: t.redirectUrl ?? redirectEndpoint(options.baseUrl, t.authToken),
      tokenType: t.tokenType,
      ...(t.expiryTime !== undefined && { expiresAt: new Date(options.now.getTime() + t.expiryTime * 1000).toISOString() }),
      ...(t.sessionLength !== undefined && { sessionLengthSeconds: t.sessionLength }),
      ...(t.digitString && { digitString: t.digitString }),
    },
  }));
}

/** POST /api/v2/status answer -> facts (result = the overall status) and the verdicts. */
export function statusOutcome(raw: RawExchange): AdapterOutcome<IdenfyVerificationStatus> {
  return outcome(raw, [200], IdenfyStatusResponse, (s) => ({
    facts: { result: reportedResult(s.status, s.final), requestId: s.scanRef },
    data: {
      scanRef: s.scanRef,
      clientId: s.clientId,
      overall: s.status,
      final: s.final,
      face: s.manualFace || s.autoFace || null,
      document: s.manualDocument || s.autoDocument || null,
      fraudTags: s.fraudTags,
      mismatchTags: s.mismatchTags,
    },
  }));
}

/** POST /api/v2/data answer -> facts and the extracted document data. */
export function dataOutcome(raw: RawExchange): AdapterOutcome<IdenfyExtractedData> {
  return outcome(raw, [200], IdenfyDataResponse, (d) => ({
    facts: { requestId: d.scanRef },
    data: {
      scanRef: d.scanRef,
      firstName: d.docFirstName ?? null,
      lastName: d.docLastName ?? null,
      documentNumber: d.docNumber ?? null,
      personalCode: d.docPersonalCode ?? null,
      dateOfBirth: d.docDob ?? null,
      documentExpiry: d.docExpiry ?? null,
      dateOfIssue: d.docDateOfIssue ?? null,
      documentType: d.docType ?? null,
      sex: d.docSex ?? null,
      nationality: d.docNationality ?? null,
      issuingCountry: d.docIssuingCountry ?? null,
    },
  }));
}

const VERDICTS: ReadonlySet<string> = new Set(['APPROVED', 'DENIED', 'SUSPECTED']);

/**
 * The overall status as a fact. iDenfy calls a verdict sent with `final: false` preliminary: a manual
 * review follows and may change it (ID-WH). Reporting it as iDenfy's own REVIEWING keeps a provisional
 * APPROVED from being booked as a charge before the reviewer's final answer arrives.
 */
export function reportedResult(overall: IdenfyOverallStatus, final: boolean | undefined): string {
  return final === false && VERDICTS.has(overall) ? 'REVIEWING' : overall;
}

/** Events whose body is not a verdict: iDenfy's own sample of the expired event carries `overall: APPROVED`. */
const NO_VERDICT_EVENTS: ReadonlySet<string> = new Set(['IDENTIFICATION_EXPIRED', 'IDENTIFICATION_CANCELLED', 'IDENTIFICATION_CANCELED']);

/** A verified, parsed webhook -> facts for the mapping table (code = the event type, result = the verdict). */
export function webhookFacts(eventType: IdenfyEventType, payload: IdenfyWebhookPayload): UpstreamFacts {
  return {
    code: eventType,
    result: NO_VERDICT_EVENTS.has(eventType) ? eventType : reportedResult(payload.status.overall, payload.final),
    requestId: payload.scanRef,
  };
}

/** What iDenfy holds of a client that the gateway did not know: the session a lost token call opened, if one can be told. */
export interface IdenfyUnknownSessions {
  /** The one session of the client the gateway never heard of: the one the lost call opened (null: none, or several). */
  opened: string | null;
  /** How many sessions of the client the gateway never heard of are on the page. */
  unknownCount: number;
  /** The page was not the whole list (more than one page of sessions): the answer proves nothing. */
  partial: boolean;
}

/** The verdicts of a client's session list for a lost token call, besides the opened session's own status. */
export const LOST_TOKEN_RESULTS = { none: 'NO_SESSION', several: 'SEVERAL_SESSIONS' } as const;

/**
 * GET /kyc/identifications/?clientId=: the client's sessions against those the gateway knows. One unknown
 * session is the one a lost token call opened (a token per verification): its status is the verdict. None
 * means the call opened nothing; several, or a list longer than one page, proves nothing. No request id: the
 * same client may be looked at again while its session is open.
 */
export function identificationsOutcome(raw: RawExchange, input: IdenfyIdentificationsInput): AdapterOutcome<IdenfyUnknownSessions> {
  const known = new Set(input.knownScanRefs);
  return outcome(raw, [200], IdenfyIdentificationsResponse, (page) => {
    const unknown = page.results.filter((r) => !known.has(r.scanRef));
    const partial = Boolean(page.next) || page.count > page.results.length;
    const only = !partial && unknown.length === 1 ? unknown[0] : undefined;
    const result = only ? only.status : partial || unknown.length > 1 ? LOST_TOKEN_RESULTS.several : LOST_TOKEN_RESULTS.none;
    return { data: { opened: only?.scanRef ?? null, unknownCount: unknown.length, partial }, facts: { result } };
  });
}
