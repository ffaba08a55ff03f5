/**
 * The contract every adapter folder fulfils (DESIGN 2, 8). An adapter speaks one vendor's wire format
 * and reports what happened as plain facts; it decides nothing. The mapping table
 * (config/error-map/<provider>.json, loaded by src/gateway/error-map.ts) turns facts into the suite's
 * code, charge, finality, failover and breaker decisions. Each folder declares itself once in its
 * index.ts (`defineAdapter`, adapters/declare.ts) and adapters/index.ts lists the declarations.
 */

import type { z } from 'zod';
import type { InhouseEngine } from './inhouse/engine';
import type { SimulatorStarter } from './simulator-kit';

/** A provider's id as its declaration names it (`accuauth`, `inhouse`, ...); the registry knows which exist. */
export type ProviderId = string;

/** The checks of POST /v1/verifications (DESIGN 3). */
export const CHECKS = ['identity_selfie', 'name_check', 'document', 'face_match', 'liveness', 'hosted_session', 'ekyc_request'] as const;
export type Check = (typeof CHECKS)[number];

/** Failures below HTTP: the request may or may not have reached the vendor (and been billed). */
export const TRANSPORT_FAILURES = [
  'timeout', // no answer in time after the request was sent: charge unknown
  'connection_refused', // nothing was sent: free
  'connection_reset', // the socket died mid-exchange: charge unknown
  'malformed_body', // an answer came but is not the JSON it should be
  'schema_invalid', // JSON that does not fit the vendor's documented schema
  'interrupted', // our process died while the call was in flight: the answer, if any, was lost
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
  /** Set when the exchange failed below HTTP or the body of an answer was unusable. */
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
  /** The declaration's `credentials`, by name. */
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

/** What an operation knows besides its input. */
export interface OperationMeta {
  customerId: string;
  verificationId: string;
  now: Date;
}

/** A URL the tenant chose that a vendor will fetch (an image, a video), and where it sits in the input. */
export interface FetchedUrl {
  param: string;
  url: string;
}

/** An operation's input, read by the operation's own schema and ready to call; or why it does not fit. */
export type PreparedCall =
  | {
      ok: true;
      call(ctx: CallContext, meta: OperationMeta): Promise<AdapterOutcome>;
      /** URLs in the input that the vendor will download, by input path: the gateway checks them before any call. */
      fetchedUrls: ReadonlyArray<FetchedUrl>;
    }
  | { ok: false; issues: z.core.$ZodIssue[] };

/** One operation of an adapter, as the gateway sees it once declared (built by `operation()`, adapters/declare.ts). */
export interface Operation {
  /** Vendor path or a short description of it. */
  endpoint: string;
  /** The suite check this operation answers, or null for helper steps (status fetch, delete, ...). */
  serves: Check | null;
  /**
   * A stand-in for providers that could not answer: tried only while no provider before it in the chain
   * gave a result, so a degraded answer never replaces a real one (a registry's free "not found" stays).
   */
  fallbackOnly: boolean;
  /** An identity answer that no population registry confirmed (the engine compares faces only): never KYC registry evidence. */
  registryless: boolean;
  /** The vendor's list price of one charged call, in whole rupiah; config/pricing.json holds contract rates over it. */
  listPrice: number;
  /** Reads the input with the operation's schema; routing skips a provider whose operation refuses it. */
  prepare(input: unknown): PreparedCall;
  /** How an unknown charge of this operation can be settled later by asking the vendor (its status API), if it can. */
  settledBy?: ChargeLookup;
  /**
   * Set when the operation is a vendor's multi-step flow (built by `flow()`, adapters/declare.ts): the check
   * is answered by calling other operations of the same provider in turn, each one a call of its own.
   */
  flow?: Flow;
}

/**
 * How the vendor is asked, later, about a call of this operation whose charge is unknown (its answer was lost):
 * the reconciliation job (src/finance/reconcile-unknown.ts) makes the lookup, booked like any call, and reads
 * its `result` with the mapping rows of `rows` under the org's plan.
 */
export interface ChargeLookup {
  /** The operation that asks (declared by the same adapter). */
  operation: string;
  /** Its input, from what the ledger knows of the lost call: our customer, and the vendor's ids we already hold for them. */
  input(lost: { customerId: string; knownRequestIds: string[] }): unknown;
  /** The operation whose rows turn the lookup's `result` into the lost call's charge. */
  rows: string;
  /** The vendor id an answered lookup attributed to its lost call (iDenfy: the session it opened), if any. */
  attributed(data: unknown): string | null;
}

/** What the steps of a flow made so far: each answered step's data, by operation name. */
export type StepData = ReadonlyMap<string, unknown>;

/** The next call of a flow: which operation, with which input (read by that operation's own schema). */
export interface FlowStep {
  operation: string;
  input: unknown;
}

/**
 * A vendor's multi-step flow (Lapis' eKYC request: upload, match, create, find, accept, retrieve). The
 * gateway walks it: each step is written ahead, called, booked and settled like any call, and a worker that
 * dies mid-flow goes on from the steps recorded (src/gateway/flow.ts).
 */
export interface Flow {
  /** Runs only as an asynchronous verification: it waits on people and several vendor calls. */
  asyncOnly: boolean;
  /** The step after those answered (`done`), for the flow's input; null once the flow is complete. */
  next(input: unknown, done: StepData): FlowStep | null;
  /** Whether the flow's last step answered: what a replay of recorded steps, without the input, can tell. */
  complete(done: StepData): boolean;
  /**
   * Steps whose `pending` verdict means the vendor waits on the person: the verification stays `pending` and
   * the step is made again later (config `verifications.flowWaits`), until it answers otherwise or time is up.
   */
  waits: readonly string[];
  /**
   * Operations that only read the vendor's state: a call of one that a dead worker left in flight is made
   * again when the flow goes on (any other interrupted step ends the flow; it may have been acted on).
   */
  repeatable: readonly string[];
  /** The verification's result once the flow is complete, from its steps' data (ids and verdicts). */
  result(done: StepData): unknown;
}

/** Where a vendor reached over HTTP lives, by default; config/providers.json may override any of it per deployment. */
export interface HttpReach {
  /** Per-call timeout, in ms. */
  timeoutMs: number;
  /** The vendor's API for live keys, and the environment variable each credential is read from. */
  live: { baseUrl: string; credentialEnv: Record<string, string> };
  /** The local simulator behind sandbox keys: its port, and the sandbox credentials it accepts (not secrets). */
  sandbox: { port: number; credentials: Record<string, string> };
  /** Endpoint paths by the adapter's own names, for paths a deployment may have to correct (Lapis). */
  paths?: Record<string, string>;
}

interface DeclarationBase {
  id: ProviderId;
  displayName: string;
  /** Credential names the adapter needs (e.g. `apiId`, `apiSecret`); a provider without them is skipped for live keys. */
  credentials: readonly string[];
  operations: Readonly<Record<string, Operation>>;
}

/** One webhook a vendor sent about a session it hosts, as the gateway keeps it: codes and statuses, never PII. */
export interface InboundEvent {
  /** The vendor's reference of the session (iDenfy's scanRef): the attempt that opened it carries it as its request id. */
  sessionRef: string;
  /** What the event reports, for the mapping table's `webhook` rows. */
  facts: UpstreamFacts;
  /** The state the event reports (event type, verdict, finality): with `sessionRef`, what makes a delivery a duplicate. */
  state: string;
  /** What the verification keeps of it: verdict codes and tags only. */
  summary: Record<string, unknown>;
  /** When the vendor says the session reached this state, in ms since the epoch, when it says. */
  occurredAt?: number;
}

export type InboundRead = { ok: true; event: InboundEvent } | { ok: false; reason: string; detail: string };

/** Signed webhooks a vendor sends about sessions it hosts (iDenfy's verification results). */
export interface InboundWebhooks {
  /** True when the raw bytes carry a valid signature under one of `keys` (compared in constant time). */
  verify(rawBody: Buffer, headers: Readonly<Record<string, string | undefined>>, keys: readonly string[]): boolean;
  /** A verified body -> the event, or why it is malformed. Validates with zod before anything is used. */
  read(rawBody: Buffer, headers: Readonly<Record<string, string | undefined>>): InboundRead;
  /** Signing keys: for live sessions from this environment variable (comma-separated, several during a rotation); for sandbox sessions the simulator's key (not a secret). */
  keys: { liveEnv: string; sandbox: readonly string[] };
}

/** A vendor's API, reached over HTTP: live keys reach the vendor, sandbox keys its simulator (adapters/<vendor>/simulator). */
export interface HttpAdapterDeclaration extends DeclarationBase {
  transport: 'http';
  reach: HttpReach;
  simulator: SimulatorStarter;
  /** Webhooks it sends about sessions it hosts, received at `POST /v1/webhooks/<id>`; classified by its `webhook` operation's rows. */
  webhooks?: InboundWebhooks;
}

/** Our own engine, called in this process: no URL, no credentials, the same for both key modes. */
export interface InProcessAdapterDeclaration extends DeclarationBase {
  transport: 'in_process';
  reach: { timeoutMs: number };
}

/** An adapter's declaration in its index.ts: a plain typed object. */
export type AdapterDeclaration = HttpAdapterDeclaration | InProcessAdapterDeclaration;
