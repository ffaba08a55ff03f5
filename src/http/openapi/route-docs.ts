import type { z } from 'zod';
import { DukcapilRequest } from '../../dukcapil/dukcapil-request';

/**
 * What the reference says about one route beyond its spec: its name, prose, success answer, the catalog
 * codes its use case can answer and an example. Keyed `METHOD path` exactly as the route is declared; a
 * route without an entry still appears in /openapi.json, but the OpenAPI test fails and names it.
 */
export interface RouteDoc {
  /** Stable operation name (the SDK's method name): lowerCamelCase. */
  operationId: string;
  summary: string;
  description?: string;
  /** Section of the reference; defaults to the path's first segment after /v1. */
  tag?: string;
  /** Status of the success answer; defaults to 200. */
  status?: number;
  /** Media type of the success answer; defaults to application/json. */
  contentType?: string;
  /**
   * Catalog codes this route's own work can answer. The codes every route of its kind can answer (auth and
   * scope, body parsing, Idempotency-Key, rate limit, validation, not found, internal) are added from the spec.
   */
  errors?: readonly string[];
  /** The body schema of a route that validates its body in the handler (so its spec has none). */
  body?: z.ZodType;
  requestExample?: unknown;
  responseExample?: unknown;
}

/** What a routed vendor call can answer besides a verdict. */
const PROVIDER_ERRORS = [
  'provider_unavailable',
  'provider_timeout',
  'provider_quota_exhausted',
  'provider_auth_failed',
  'provider_not_configured',
  'upstream_unmapped',
  'provider_duplicate_request',
  'provider_request_rejected',
  'provider_account_disabled',
  'provider_rate_limited',
  'provider_session_unavailable',
  'provider_check_failed',
  'service_unavailable',
] as const;

const CUSTOMER = { id: 'cus_3kTn8XQ2v9', object: 'customer', externalRef: 'user-42', createdAt: '2026-01-05T08:00:00.000Z' };
const PASSKEY_CEREMONY = ['webauthn_challenge_expired', 'webauthn_challenge_invalid', 'passkey_verification_failed'];

const WEBHOOK_ENDPOINT = {
  id: 'we_8Qd2',
  object: 'webhook_endpoint',
  url: 'https://hooks.example.com/verigate',
  enabledEvents: ['verification.completed'],
  status: 'enabled',
};
const OPERATOR_REASON = { reason: 'vendor incident INC-1234: failing over' };

/** Routes of the webhooks issue (inbound vendor webhooks, integrators' endpoints and events) and of the operators issue. */
const WEBHOOK_AND_OPERATOR_ROUTES: Record<string, RouteDoc> = {
  'POST /v1/webhooks/:provider': {
    operationId: 'receiveVendorWebhook',
    tag: 'webhooks',
    summary: "A vendor's signed webhook about a session it hosts (iDenfy: Idenfy-Signature over the raw body); no API key",
    description: 'Answers 200 once the event is kept (a redelivery too: `duplicate: true`); its job applies it to the verification.',
    errors: ['webhook_signature_invalid', 'webhook_invalid', 'webhook_stale'],
    responseExample: { received: true, duplicate: false },
  },
  'POST /v1/webhook-endpoints': {
    operationId: 'createWebhookEndpoint',
    summary: 'Add an endpoint for events; its signing secret (whsec_...) is in this answer only',
    status: 201,
    errors: ['webhook_url_not_allowed', 'webhook_endpoint_limit'],
    requestExample: { url: 'https://hooks.example.com/verigate', enabledEvents: ['verification.completed'] },
    responseExample: { ...WEBHOOK_ENDPOINT, secret: 'whsec_...' },
  },
  'GET /v1/webhook-endpoints': { operationId: 'listWebhookEndpoints', summary: "The org's webhook endpoints" },
  'GET /v1/webhook-endpoints/:id': {
    operationId: 'getWebhookEndpoint',
    summary: 'Read a webhook endpoint',
    responseExample: WEBHOOK_ENDPOINT,
  },
  'DELETE /v1/webhook-endpoints/:id': { operationId: 'deleteWebhookEndpoint', summary: 'Stop deliveries to an endpoint (its log stays)' },
  'POST /v1/webhook-endpoints/:id/rotate-secret': {
    operationId: 'rotateWebhookSecret',
    summary: 'A new signing secret; the old one keeps signing beside it for the overlap (default 24 h)',
    requestExample: { overlapSeconds: 86400 },
  },
  'POST /v1/webhook-endpoints/:id/enable': { operationId: 'enableWebhookEndpoint', summary: 'Turn a disabled endpoint back on' },
  'POST /v1/webhook-endpoints/:id/test': {
    operationId: 'sendTestWebhook',
    summary: 'Send a webhook_endpoint.test event to this endpoint only',
    status: 202,
  },
  'GET /v1/webhook-endpoints/:id/deliveries': {
    operationId: 'listWebhookDeliveries',
    summary: 'The delivery log: each delivery with its tries (attempt, HTTP status, latency, error)',
  },
  'POST /v1/webhook-endpoints/:id/deliveries/:deliveryId/redeliver': {
    operationId: 'redeliverWebhook',
    summary: 'Send the same event again as a new series of tries',
    status: 202,
    errors: ['webhook_endpoint_disabled'],
  },
  'GET /v1/events': { operationId: 'listEvents', summary: "The org's events (evt_...), newest first, in cursor pages" },
  'GET /v1/events/:id': { operationId: 'getEvent', summary: 'Read an event as its webhook carries it' },
  'GET /v1/ops/providers': {
    operationId: 'opsListProviders',
    tag: 'ops',
    summary: 'Operators: every provider with breaker, cooldown and drain state, and who drained it and why',
  },
  'POST /v1/ops/providers/:id/drain': {
    operationId: 'opsDrainProvider',
    tag: 'ops',
    summary: 'Operators: take a provider out of routing for every tenant (audited; provider.state_changed)',
    requestExample: OPERATOR_REASON,
  },
  'POST /v1/ops/providers/:id/restore': {
    operationId: 'opsRestoreProvider',
    tag: 'ops',
    summary: 'Operators: put a drained provider back (audited; provider.state_changed)',
    requestExample: OPERATOR_REASON,
  },
  'POST /v1/ops/providers/:id/end-cooldown': {
    operationId: 'opsEndCooldown',
    tag: 'ops',
    summary: 'Operators: end an account-health cooldown early (audited; provider.state_changed)',
    requestExample: OPERATOR_REASON,
  },
  'POST /v1/ops/providers/:id/reset-breaker': {
    operationId: 'opsResetBreaker',
    tag: 'ops',
    summary: "Operators: close this instance's breakers of a provider (audited)",
    requestExample: OPERATOR_REASON,
  },
  'GET /v1/ops/orgs': { operationId: 'opsListOrgs', tag: 'ops', summary: 'Operators: every org' },
  'POST /v1/ops/orgs': { operationId: 'opsCreateOrg', tag: 'ops', summary: 'Operators: create an org (audited)', status: 201 },
  'GET /v1/ops/orgs/:id/keys': { operationId: 'opsListOrgKeys', tag: 'ops', summary: "Operators: an org's API keys (never their secrets)" },
  'POST /v1/ops/orgs/:id/keys': {
    operationId: 'opsIssueOrgKey',
    tag: 'ops',
    summary: 'Operators: issue an API key for an org, e.g. its first (audited; the key and its hmacKey are shown once)',
    status: 201,
    requestExample: {
      name: 'integration',
      mode: 'test',
      scopes: ['verifications:write', 'verifications:view'],
      reason: 'onboarding PT Contoh',
    },
  },
  'POST /v1/ops/orgs/:id/keys/:keyId/revoke': {
    operationId: 'opsRevokeOrgKey',
    tag: 'ops',
    summary: "Operators: revoke one of an org's API keys (audited)",
    requestExample: OPERATOR_REASON,
  },
  'POST /v1/ops/orgs/:id/capabilities': {
    operationId: 'opsSetCapabilities',
    tag: 'ops',
    summary: "Operators: set an org's capabilities (audited)",
  },
  'POST /v1/ops/orgs/:id/spend-cap': {
    operationId: 'opsSetSpendCap',
    tag: 'ops',
    summary: "Operators: set or clear an org's daily spend cap in IDR (audited)",
  },
  'GET /v1/ops/audit': { operationId: 'opsListAudit', tag: 'ops', summary: 'Operators: the audit of operator actions, newest first' },
  'GET /v1/ops/usage': {
    operationId: 'opsUsage',
    tag: 'ops',
    summary:
      "Operators: the whole platform's ledger by UTC day, provider and check (`data`) and by org (`byOrg`): charged, free, unknown, cost",
  },
  'GET /v1/ops/usage/entries': {
    operationId: 'opsListLedgerEntries',
    tag: 'ops',
    summary: "Operators: every org's ledger rows, each naming its org (`charged=unknown`: the unknown-charge queue)",
  },
  'POST /v1/ops/usage/entries/:id/resolve': {
    operationId: 'opsResolveLedgerEntry',
    tag: 'ops',
    summary: "Operators: settle any org's unknown ledger row as charged or free (audited as ledger.resolve, the note its reason)",
    requestExample: { charged: 'free', note: 'AccuAuth confirmed: not billed (ticket 4411)' },
  },
  'GET /v1/ops/reviews': {
    operationId: 'opsListReviews',
    tag: 'ops',
    summary: 'Operators: captures awaiting review (requires_review), newest first, with the fused verdicts and every voter',
  },
};

export const ROUTE_DOCS: Record<string, RouteDoc> = {
  'GET /healthz': {
    operationId: 'getHealth',
    tag: 'meta',
    summary: 'Liveness: the process answers',
    responseExample: { status: 'ok' },
  },
  'GET /readyz': {
    operationId: 'getReadiness',
    tag: 'meta',
    summary: 'Readiness: the database and Redis both answer a query (503 naming which does not)',
    responseExample: { status: 'ready', checks: { database: 'ok', redis: 'ok' } },
  },
  'GET /metrics': {
    operationId: 'getMetrics',
    tag: 'meta',
    summary: 'Prometheus metrics (text exposition format); keep it on the internal network',
    contentType: 'text/plain',
  },
  'GET /openapi.json': {
    operationId: 'getOpenApiDocument',
    tag: 'meta',
    summary: 'This OpenAPI 3.1 document, generated from the route table and its request schemas',
  },
  'GET /docs': {
    operationId: 'getReferencePage',
    tag: 'meta',
    summary: 'The API reference page (Swagger UI over /openapi.json, served from this gateway)',
    contentType: 'text/html',
  },
  'GET /docs/assets/:file': {
    operationId: 'getReferenceAsset',
    tag: 'meta',
    summary: "The reference page's scripts and styles",
    contentType: 'application/octet-stream',
  },
  'GET /mapping-table': {
    operationId: 'getMappingTable',
    tag: 'mapping-table',
    summary: 'Every upstream answer, what the suite makes of it and whether it is charged (JSON or CSV)',
  },
  'POST /v1/keys': {
    operationId: 'createKey',
    summary: "Issue a key for the caller's org: same mode, at most the caller's scopes; key and hmacKey shown once",
    status: 201,
    errors: ['missing_scope'],
    requestExample: { name: 'backend', scopes: ['customers:view'] },
    responseExample: {
      id: 'key_5Qe2mY0',
      object: 'api_key',
      name: 'backend',
      mode: 'test',
      scopes: ['customers:view'],
      createdAt: '2026-01-05T08:00:00.000Z',
      revokedAt: null,
      key: 'vk_test_...',
      hmacKey: '<64 hex characters>',
    },
  },
  'GET /v1/keys': { operationId: 'listKeys', summary: "The org's keys (never their secrets)" },
  'DELETE /v1/keys/:id': { operationId: 'revokeKey', summary: 'Revoke a key (other instances may accept it for up to 5 s)' },
  'POST /v1/customers': {
    operationId: 'createCustomer',
    summary: 'Create a customer (201), or answer the existing one for a known externalRef (200)',
    status: 201,
    requestExample: { externalRef: 'user-42' },
    responseExample: CUSTOMER,
  },
  'GET /v1/customers/:id': { operationId: 'getCustomer', summary: 'Read a customer', responseExample: CUSTOMER },
  'GET /v1/customers': {
    operationId: 'listCustomers',
    summary: 'List customers, newest first, in cursor pages (startingAfter = the last id of a page)',
    responseExample: { object: 'list', data: [CUSTOMER], hasMore: false, nextCursor: null },
  },
  'POST /v1/verifications': {
    operationId: 'createVerification',
    summary: 'Run one check through the routing policy, with charge-aware failover: now (sync), or by a worker (async, 202)',
    description:
      'With `mode: "async"` the answer is 202 with the verification `processing`; read it with GET or receive `verification.completed`. ' +
      'A finished verification is a 200 whatever its verdict (`passed`, `failed`, `requires_review`, `not_found`, `pending`). ' +
      'Errors are for requests nobody could answer; then `error.reasons[]` says, for each provider, why it was skipped or what it answered.',
    errors: [...PROVIDER_ERRORS, 'url_not_allowed'],
    requestExample: {
      customerId: 'cus_3kTn8XQ2v9',
      check: 'identity_selfie',
      provider: 'auto',
      input: { idNumber: '3217061012870001', faceImage: '<base64 JPEG, at most 50 KB>' },
    },
  },
  'GET /v1/verifications/:id': { operationId: 'getVerification', summary: 'Read a verification with its attempts' },
  'GET /v1/verifications': { operationId: 'listVerifications', summary: 'List verifications in cursor pages, by customer or status' },
  'GET /v1/usage': {
    operationId: 'getUsage',
    summary: 'The ledger by day, provider, check and sandbox flag: charged, free and unknown counts and cost (JSON or CSV)',
  },
  'GET /v1/usage/entries': {
    operationId: 'listLedgerEntries',
    summary: "The org's ledger rows one by one, in cursor pages (filter charged=unknown for reconciliation)",
  },
  'POST /v1/usage/entries/:id/resolve': {
    operationId: 'resolveLedgerEntry',
    summary: 'Settle an unknown ledger row as charged or free, once, with an audited note',
    requestExample: { charged: 'charged', note: 'invoice 2024-07 line 118' },
  },
  'POST /v1/usage/reconciliations': {
    operationId: 'reconcileInvoice',
    tag: 'usage',
    summary: "Import a vendor invoice (CSV) and list its differences with the org's ledger; unknown rows it bills are resolved charged",
    description:
      'Lists three kinds of difference: `billed_not_on_ledger`, `on_ledger_not_billed` (charged rows of the period the invoice does not bill) and ' +
      '`price_mismatch` (billed at another price than booked; a row booked free that is billed counts). A sandbox key reconciles sandbox rows. ' +
      "Only the caller's org's rows are read: a platform-wide invoice is reconciled with `npx verigate invoice import`.",
    status: 201,
    requestExample: {
      provider: 'accuauth',
      fileName: 'accuauth-2026-01.csv',
      csv: 'date,order_no,amount\n2026-01-05,ORD-10001,3500\n2026-01-05,ORD-10002,3500\n',
    },
  },
  'GET /v1/routing/policy': { operationId: 'getRoutingPolicy', summary: "The org's routing policy (defaults for checks it leaves out)" },
  'PUT /v1/routing/policy': {
    operationId: 'replaceRoutingPolicy',
    summary: "Replace the org's routing policy",
    requestExample: {
      allowFailoverAfterUnknown: false,
      checks: {
        identity_selfie: [{ provider: 'accuauth', priority: 1, weight: 1, when: { inputHas: ['ktpImage'], nikProvinceIn: ['31', '32'] } }],
      },
    },
  },
  'POST /v1/routing/explain': {
    operationId: 'explainRouting',
    summary: 'Which providers a verification would try now, and why the others would be skipped (calls nobody)',
    requestExample: { check: 'identity_selfie', input: { idNumber: '3217061012870001' } },
  },
  'GET /v1/providers': {
    operationId: 'listProviders',
    summary: "Each provider's health as tenants see it: checks it serves, drained or not, breaker, cooldown, recent latency and errors",
  },
  'POST /v1/flash-challenges': {
    operationId: 'createFlashChallenge',
    summary:
      'A random flash sequence and a single-use nonce, valid 60 s, bound to the org and customer; version 2 (timed) adds a random window per colour, which the capture must honour (frameTimes)',
    status: 201,
    requestExample: { customerId: 'cus_3kTn8XQ2v9', kind: 'selfie', version: 2 },
  },
  'POST /v1/captures': {
    operationId: 'submitCapture',
    summary: 'Submit a capture bundle signed with the key\'s hmacKey (HMAC-SHA256 over the RFC 8785 JSON without "signature")',
    status: 201,
    errors: [
      'flash_challenge_expired',
      'flash_challenge_nonce_mismatch',
      'flash_challenge_consumed',
      'bundle_signature_invalid',
      'frames_invalid',
      'replay_detected',
      'liveness_failed',
      'tamper_failed',
      'service_unavailable',
    ],
    requestExample: {
      customerId: 'cus_3kTn8XQ2v9',
      kind: 'selfie',
      flashChallengeNonce: '<nonce of POST /v1/flash-challenges>',
      timestamp: '2026-01-05T08:00:05.000Z',
      frames: ['<base64 JPEG>', '<base64 JPEG>'],
      signature: '<hex HMAC-SHA256>',
    },
  },
  'GET /v1/captures/:id': { operationId: 'getCapture', summary: "Read a capture bundle's verdicts (while it is retained)" },
  'POST /v1/customers/:id/enrollments': {
    operationId: 'enrollFace',
    tag: 'enrollments',
    summary: 'Enroll a reference face for the customer from a capture bundle or an image',
    status: 201,
    errors: [
      'capture_bundle_not_found',
      'bundle_liveness_not_passed',
      'tamper_failed',
      'face_not_found',
      'face_quality_too_low',
      'service_unavailable',
    ],
    requestExample: { captureBundleId: 'cap_7Yw1...' },
  },
  'GET /v1/customers/:id/enrollments': { operationId: 'listEnrollments', tag: 'enrollments', summary: "The customer's face enrollments" },
  'GET /v1/enrollments/:id': { operationId: 'getEnrollment', tag: 'enrollments', summary: 'Read a face enrollment' },
  'POST /v1/enrollments/:id/deactivate': {
    operationId: 'deactivateEnrollment',
    summary: 'Deactivate a face enrollment (kept for audit, no longer matched against)',
    requestExample: { reason: 'enrolled from the wrong card' },
  },
  'POST /v1/matches': {
    operationId: 'createMatch',
    summary: "Match a probe face against one reference or the customer's pool of enrollments",
    status: 201,
    errors: [
      'probe_source_required',
      'too_many_references',
      'capture_bundle_not_found',
      'bundle_liveness_not_passed',
      'enrollment_inactive',
      'no_active_enrollments',
      'face_not_found',
      'service_unavailable',
    ],
    requestExample: { customerId: 'cus_3kTn8XQ2v9', captureBundleId: 'cap_7Yw1...' },
  },
  'GET /v1/matches/:id': { operationId: 'getMatch', summary: 'Read a face match' },
  'GET /v1/customers/:id/kyc': { operationId: 'getKycStatus', tag: 'kyc', summary: "The customer's KYC tier, derived from evidence" },
  'POST /v1/customers/:id/kyc/override': {
    operationId: 'overrideKycTier',
    tag: 'kyc',
    summary: "Set the customer's tier by an analyst's decision (audited)",
    status: 201,
    errors: ['reason_too_short', 'tier_upgrade_too_far'],
    requestExample: { tier: 'basic', reason: 'documents checked by hand, ticket KYC-1182', analyst: 'R. Wulandari' },
  },
  'GET /v1/customers/:id/kyc/overrides': {
    operationId: 'listKycOverrides',
    tag: 'kyc',
    summary: "The customer's tier overrides, newest first",
  },
  'POST /v1/nik/dukcapil': {
    operationId: 'checkNikDukcapil',
    tag: 'dukcapil',
    summary: 'NIK + selfie against the population registry through AccuAuth, answered as a Dukcapil verdict',
    description: 'Needs the org capability `dukcapil`: an org without it hears 403 whatever it sent.',
    errors: ['org_capability_disabled', ...PROVIDER_ERRORS],
    body: DukcapilRequest,
  },
  'POST /v1/customers/:id/passkeys/registration/options': {
    operationId: 'createPasskeyRegistrationOptions',
    tag: 'passkeys',
    summary: 'WebAuthn registration options for a customer who passed KYC',
    status: 201,
    errors: ['passkey_kyc_required'],
  },
  'POST /v1/customers/:id/passkeys/registration': {
    operationId: 'registerPasskey',
    tag: 'passkeys',
    summary: "Verify the authenticator's registration response and store the passkey",
    status: 201,
    errors: [...PASSKEY_CEREMONY, 'passkey_already_registered', 'passkey_kyc_required'],
  },
  'POST /v1/customers/:id/passkeys/authentication/options': {
    operationId: 'createPasskeyAuthenticationOptions',
    tag: 'passkeys',
    summary: 'WebAuthn sign-in options for the customer',
    status: 201,
    errors: ['passkey_none_registered'],
  },
  'POST /v1/customers/:id/passkeys/authentication': {
    operationId: 'authenticatePasskey',
    tag: 'passkeys',
    summary: "Verify the authenticator's sign-in assertion",
    errors: [...PASSKEY_CEREMONY, 'passkey_counter_regressed', 'passkey_none_registered'],
  },
  'GET /v1/customers/:id/passkeys': { operationId: 'listPasskeys', tag: 'passkeys', summary: "The customer's passkeys" },
  'DELETE /v1/customers/:id/passkeys/:passkeyId': {
    operationId: 'deletePasskey',
    tag: 'passkeys',
    summary: "Remove one of the customer's passkeys",
  },
  ...WEBHOOK_AND_OPERATOR_ROUTES,
};
