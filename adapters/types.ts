/**
 * The contract every adapter folder fulfils (DESIGN 2, 8). An adapter speaks one vendor's wire format
 * and reports what happened as plain facts; it decides nothing. The mapping table
 * (config/error-map/<provider>.json, loaded by src/gateway/error-map.ts) turns facts into the suite's
 * code, charge, finality, failover and breaker decisions.
 */

import type { InhouseEngine } from './inhouse/client';

export const PROVIDERS = ['accuauth', 'idenfy', 'lapis', 'inhouse'] as const;
export type ProviderId = (typeof PROVIDERS)[number];

/** The checks of POST /v1/verifications (DESIGN 3). */
export const CHECKS = ['identity_selfie', 'name_check', 'document', 'face_match', 'liveness', 'hosted_session'] as const;
export type Check = (typeof CHECKS)[number];

/** Failures below HTTP: the request may or may not have reached the vendor (and been billed). */
export const TRANSPORT_FAILURES = [
  'timeout', // no answer in time after the request was sent: charge unknown
  'connection_refused', // nothing was sent: free
  'connection_reset', // the socket died mid-exchange: charge unknown
  'malformed_body', // an answer came but is not the JSON it should be
  'schema_invalid', // JSON that does not fit the vendor's documented schema
] as const;
export type TransportFailure = (typeof TRANSPORT_FAILURES)[number];

/**
 * What an upstream call produced, as the mapping table matches it. Every field is optional because
 * vendors differ: AccuAuth answers 200 with `status` and `result` codes, iDenfy with `identifier`,
 * Lapis with an `{error}` message.
 */
export interface UpstreamFacts {
  /** HTTP status, when an HTTP answer arrived. */
  httpStatus?: number;
  /** The vendor's error identifier or status string (`OUT_OF_QUOTA`, `BAD_VALUE`, `OK`). */
  code?: string;
  /** The vendor's business result code (`01`..`08`) or verdict (`APPROVED`). */
  result?: string;
  /** The vendor's error message, for vendors that only say what went wrong in words. */
  message?: string;
  /** Set instead of an HTTP answer when the exchange failed below HTTP or the body was unusable. */
  transport?: TransportFailure;
  /** The vendor's id of this call (`order_no`, `request_id`, `scanRef`, ...), for the ledger. */
  requestId?: string;
}

/** The outcome of one adapter call: facts for the table, plus the normalised payload on success. */
export interface AdapterOutcome<T = unknown> {
  facts: UpstreamFacts;
  /** Parsed, normalised data the suite returns to integrators (scores, session URL, ...); never raw PII beyond what the check needs. */
  data?: T;
  latencyMs: number;
}

/** Per-call settings the gateway passes in; adapters never read env or config files themselves. */
export interface CallContext {
  /** Vendor base URL: the real API with live credentials, a simulator otherwise; empty for an in-process provider. */
  baseUrl: string;
  credentials: Record<string, string>;
  /** Aborts the HTTP call (the breaker's timeout, or shutdown). */
  signal?: AbortSignal;
  /** Per-call timeout, in ms. */
  timeoutMs: number;
  /** Endpoint paths that override the adapter's defaults, by the adapter's own path names (config/providers.json `paths`). */
  paths?: Record<string, string>;
  /**
   * The in-house engine, bound to the calling org and key: what an `in_process` provider is called through
   * instead of a URL. Set by the gateway for each verification; HTTP vendors never see it.
   */
  engine?: InhouseEngine;
}

/** An operation the adapter exposes: its name in the mapping table and the suite check it serves. */
export interface OperationDeclaration {
  /** Vendor path or a short description of it. */
  endpoint: string;
  /** The suite check this operation answers, or null for helper steps (status fetch, delete, ...). */
  serves: Check | null;
  /**
   * A stand-in for providers that could not answer: tried only while no provider before it in the chain
   * gave a result, so a degraded answer never replaces a real one (a registry's free "not found" stays).
   */
  fallbackOnly?: boolean;
}

/** The adapter's declaration in index.ts: a plain typed object. */
export interface AdapterDeclaration {
  id: ProviderId;
  displayName: string;
  /**
   * How the gateway reaches the provider: `http` (a vendor's API, or its simulator behind sandbox keys) or
   * `in_process` (our own engine, called in this process: no URL, no credentials, the same for both key modes).
   */
  transport: 'http' | 'in_process';
  /** Credential names the adapter needs (e.g. `apiId`, `apiSecret`); a provider without them is skipped for live keys. */
  credentials: readonly string[];
  operations: Record<string, OperationDeclaration>;
}
