// Generated from the API's /openapi.json by sdk/scripts/generate.ts: do not edit. `npm run generate -w sdk` rewrites it.

/** Every operation of the API: its method, path template and the scope its key needs. */
export const OPERATIONS = {
  authenticatePasskey: { method: 'POST', path: '/v1/customers/{id}/passkeys/authentication', scope: 'passkeys:authenticate' },
  checkNikDukcapil: { method: 'POST', path: '/v1/nik/dukcapil', scope: 'verifications:write' },
  createCustomer: { method: 'POST', path: '/v1/customers', scope: 'customers:write' },
  createFlashChallenge: { method: 'POST', path: '/v1/flash-challenges', scope: 'captures:write' },
  createKey: { method: 'POST', path: '/v1/keys', scope: 'keys:write' },
  createMatch: { method: 'POST', path: '/v1/matches', scope: 'matches:write' },
  createPasskeyAuthenticationOptions: { method: 'POST', path: '/v1/customers/{id}/passkeys/authentication/options', scope: 'passkeys:authenticate' },
  createPasskeyRegistrationOptions: { method: 'POST', path: '/v1/customers/{id}/passkeys/registration/options', scope: 'passkeys:write' },
  createVerification: { method: 'POST', path: '/v1/verifications', scope: 'verifications:write' },
  createWebhookEndpoint: { method: 'POST', path: '/v1/webhook-endpoints', scope: 'webhooks:manage' },
  deactivateEnrollment: { method: 'POST', path: '/v1/enrollments/{id}/deactivate', scope: 'enrollments:write' },
  deletePasskey: { method: 'DELETE', path: '/v1/customers/{id}/passkeys/{passkeyId}', scope: 'passkeys:write' },
  deleteWebhookEndpoint: { method: 'DELETE', path: '/v1/webhook-endpoints/{id}', scope: 'webhooks:manage' },
  enableWebhookEndpoint: { method: 'POST', path: '/v1/webhook-endpoints/{id}/enable', scope: 'webhooks:manage' },
  enrollFace: { method: 'POST', path: '/v1/customers/{id}/enrollments', scope: 'enrollments:write' },
  explainRouting: { method: 'POST', path: '/v1/routing/explain', scope: 'routing:manage' },
  getCapture: { method: 'GET', path: '/v1/captures/{id}', scope: 'captures:view' },
  getCustomer: { method: 'GET', path: '/v1/customers/{id}', scope: 'customers:view' },
  getEnrollment: { method: 'GET', path: '/v1/enrollments/{id}', scope: 'enrollments:view' },
  getEvent: { method: 'GET', path: '/v1/events/{id}', scope: 'events:view' },
  getHealth: { method: 'GET', path: '/healthz', scope: null },
  getKycStatus: { method: 'GET', path: '/v1/customers/{id}/kyc', scope: 'kyc:view' },
  getMappingTable: { method: 'GET', path: '/mapping-table', scope: null },
  getMatch: { method: 'GET', path: '/v1/matches/{id}', scope: 'matches:view' },
  getMetrics: { method: 'GET', path: '/metrics', scope: null },
  getOpenApiDocument: { method: 'GET', path: '/openapi.json', scope: null },
  getReadiness: { method: 'GET', path: '/readyz', scope: null },
  getReferenceAsset: { method: 'GET', path: '/docs/assets/{file}', scope: null },
  getReferencePage: { method: 'GET', path: '/docs', scope: null },
  getRoutingPolicy: { method: 'GET', path: '/v1/routing/policy', scope: 'routing:manage' },
  getUsage: { method: 'GET', path: '/v1/usage', scope: 'usage:view' },
  getVerification: { method: 'GET', path: '/v1/verifications/{id}', scope: 'verifications:view' },
  getWebhookEndpoint: { method: 'GET', path: '/v1/webhook-endpoints/{id}', scope: 'webhooks:manage' },
  listCustomers: { method: 'GET', path: '/v1/customers', scope: 'customers:view' },
  listEnrollments: { method: 'GET', path: '/v1/customers/{id}/enrollments', scope: 'enrollments:view' },
  listEvents: { method: 'GET', path: '/v1/events', scope: 'events:view' },
  listKeys: { method: 'GET', path: '/v1/keys', scope: 'keys:view' },
  listKycOverrides: { method: 'GET', path: '/v1/customers/{id}/kyc/overrides', scope: 'kyc:view' },
  listLedgerEntries: { method: 'GET', path: '/v1/usage/entries', scope: 'usage:view' },
  listPasskeys: { method: 'GET', path: '/v1/customers/{id}/passkeys', scope: 'passkeys:view' },
  listProviders: { method: 'GET', path: '/v1/providers', scope: 'providers:view' },
  listVerifications: { method: 'GET', path: '/v1/verifications', scope: 'verifications:view' },
  listWebhookDeliveries: { method: 'GET', path: '/v1/webhook-endpoints/{id}/deliveries', scope: 'webhooks:manage' },
  listWebhookEndpoints: { method: 'GET', path: '/v1/webhook-endpoints', scope: 'webhooks:manage' },
  opsCreateOrg: { method: 'POST', path: '/v1/ops/orgs', scope: null },
  opsDrainProvider: { method: 'POST', path: '/v1/ops/providers/{id}/drain', scope: null },
  opsEndCooldown: { method: 'POST', path: '/v1/ops/providers/{id}/end-cooldown', scope: null },
  opsIssueOrgKey: { method: 'POST', path: '/v1/ops/orgs/{id}/keys', scope: null },
  opsListAudit: { method: 'GET', path: '/v1/ops/audit', scope: null },
  opsListLedgerEntries: { method: 'GET', path: '/v1/ops/usage/entries', scope: null },
  opsListOrgKeys: { method: 'GET', path: '/v1/ops/orgs/{id}/keys', scope: null },
  opsListOrgs: { method: 'GET', path: '/v1/ops/orgs', scope: null },
  opsListProviders: { method: 'GET', path: '/v1/ops/providers', scope: null },
  opsListReviews: { method: 'GET', path: '/v1/ops/reviews', scope: null },
  opsResetBreaker: { method: 'POST', path: '/v1/ops/providers/{id}/reset-breaker', scope: null },
  opsResolveLedgerEntry: { method: 'POST', path: '/v1/ops/usage/entries/{id}/resolve', scope: null },
  opsRestoreProvider: { method: 'POST', path: '/v1/ops/providers/{id}/restore', scope: null },
  opsRevokeOrgKey: { method: 'POST', path: '/v1/ops/orgs/{id}/keys/{keyId}/revoke', scope: null },
  opsSetCapabilities: { method: 'POST', path: '/v1/ops/orgs/{id}/capabilities', scope: null },
  opsSetSpendCap: { method: 'POST', path: '/v1/ops/orgs/{id}/spend-cap', scope: null },
  opsUsage: { method: 'GET', path: '/v1/ops/usage', scope: null },
  overrideKycTier: { method: 'POST', path: '/v1/customers/{id}/kyc/override', scope: 'kyc:write' },
  receiveVendorWebhook: { method: 'POST', path: '/v1/webhooks/{provider}', scope: null },
  reconcileInvoice: { method: 'POST', path: '/v1/usage/reconciliations', scope: 'usage:manage' },
  redeliverWebhook: { method: 'POST', path: '/v1/webhook-endpoints/{id}/deliveries/{deliveryId}/redeliver', scope: 'webhooks:manage' },
  registerPasskey: { method: 'POST', path: '/v1/customers/{id}/passkeys/registration', scope: 'passkeys:write' },
  replaceRoutingPolicy: { method: 'PUT', path: '/v1/routing/policy', scope: 'routing:manage' },
  resolveLedgerEntry: { method: 'POST', path: '/v1/usage/entries/{id}/resolve', scope: 'usage:manage' },
  revokeKey: { method: 'DELETE', path: '/v1/keys/{id}', scope: 'keys:write' },
  rotateWebhookSecret: { method: 'POST', path: '/v1/webhook-endpoints/{id}/rotate-secret', scope: 'webhooks:manage' },
  sendTestWebhook: { method: 'POST', path: '/v1/webhook-endpoints/{id}/test', scope: 'webhooks:manage' },
  submitCapture: { method: 'POST', path: '/v1/captures', scope: 'captures:write' },
} as const;

export type OperationId = keyof typeof OPERATIONS;

/** Each operation's path parameters (`never`: its path has none). */
export interface PathParams {
  authenticatePasskey: {
    id: string;
  };
  checkNikDukcapil: never;
  createCustomer: never;
  createFlashChallenge: never;
  createKey: never;
  createMatch: never;
  createPasskeyAuthenticationOptions: {
    id: string;
  };
  createPasskeyRegistrationOptions: {
    id: string;
  };
  createVerification: never;
  createWebhookEndpoint: never;
  deactivateEnrollment: {
    id: string;
  };
  deletePasskey: {
    id: string;
    passkeyId: string;
  };
  deleteWebhookEndpoint: {
    id: string;
  };
  enableWebhookEndpoint: {
    id: string;
  };
  enrollFace: {
    id: string;
  };
  explainRouting: never;
  getCapture: {
    id: string;
  };
  getCustomer: {
    id: string;
  };
  getEnrollment: {
    id: string;
  };
  getEvent: {
    id: string;
  };
  getHealth: never;
  getKycStatus: {
    id: string;
  };
  getMappingTable: never;
  getMatch: {
    id: string;
  };
  getMetrics: never;
  getOpenApiDocument: never;
  getReadiness: never;
  getReferenceAsset: {
    file: string;
  };
  getReferencePage: never;
  getRoutingPolicy: never;
  getUsage: never;
  getVerification: {
    id: string;
  };
  getWebhookEndpoint: {
    id: string;
  };
  listCustomers: never;
  listEnrollments: {
    id: string;
  };
  listEvents: never;
  listKeys: never;
  listKycOverrides: {
    id: string;
  };
  listLedgerEntries: never;
  listPasskeys: {
    id: string;
  };
  listProviders: never;
  listVerifications: never;
  listWebhookDeliveries: {
    id: string;
  };
  listWebhookEndpoints: never;
  opsCreateOrg: never;
  opsDrainProvider: {
    id: string;
  };
  opsEndCooldown: {
    id: string;
  };
  opsIssueOrgKey: {
    id: string;
  };
  opsListAudit: never;
  opsListLedgerEntries: never;
  opsListOrgKeys: {
    id: string;
  };
  opsListOrgs: never;
  opsListProviders: never;
  opsListReviews: never;
  opsResetBreaker: {
    id: string;
  };
  opsResolveLedgerEntry: {
    id: string;
  };
  opsRestoreProvider: {
    id: string;
  };
  opsRevokeOrgKey: {
    id: string;
    keyId: string;
  };
  opsSetCapabilities: {
    id: string;
  };
  opsSetSpendCap: {
    id: string;
  };
  opsUsage: never;
  overrideKycTier: {
    id: string;
  };
  receiveVendorWebhook: {
    provider: string;
  };
  reconcileInvoice: never;
  redeliverWebhook: {
    id: string;
    deliveryId: string;
  };
  registerPasskey: {
    id: string;
  };
  replaceRoutingPolicy: never;
  resolveLedgerEntry: {
    id: string;
  };
  revokeKey: {
    id: string;
  };
  rotateWebhookSecret: {
    id: string;
  };
  sendTestWebhook: {
    id: string;
  };
  submitCapture: never;
}

/** Each operation's query parameters (`never`: it takes none). */
export interface QueryParams {
  authenticatePasskey: never;
  checkNikDukcapil: never;
  createCustomer: never;
  createFlashChallenge: never;
  createKey: never;
  createMatch: never;
  createPasskeyAuthenticationOptions: never;
  createPasskeyRegistrationOptions: never;
  createVerification: never;
  createWebhookEndpoint: never;
  deactivateEnrollment: never;
  deletePasskey: never;
  deleteWebhookEndpoint: never;
  enableWebhookEndpoint: never;
  enrollFace: never;
  explainRouting: never;
  getCapture: never;
  getCustomer: never;
  getEnrollment: never;
  getEvent: never;
  getHealth: never;
  getKycStatus: never;
  getMappingTable: {
    provider?: string;
    format?: "json" | "csv";
  };
  getMatch: never;
  getMetrics: never;
  getOpenApiDocument: never;
  getReadiness: never;
  getReferenceAsset: never;
  getReferencePage: never;
  getRoutingPolicy: never;
  getUsage: {
    from?: string;
    to?: string;
    format?: "json" | "csv";
  };
  getVerification: never;
  getWebhookEndpoint: never;
  listCustomers: {
    limit?: number;
    startingAfter?: string;
  };
  listEnrollments: never;
  listEvents: {
    limit?: number;
    startingAfter?: string;
    type?: "verification.completed" | "verification.updated" | "capture.completed" | "kyc.tier_changed" | "provider.state_changed" | "webhook_endpoint.disabled" | "webhook_endpoint.test";
  };
  listKeys: never;
  listKycOverrides: never;
  listLedgerEntries: {
    charged?: "charged" | "free" | "unknown";
    limit?: number;
    startingAfter?: string;
  };
  listPasskeys: never;
  listProviders: never;
  listVerifications: {
    customerId?: string;
    status?: "processing" | "passed" | "failed" | "requires_review" | "not_found" | "pending" | "expired" | "cancelled" | "error";
    limit?: number;
    startingAfter?: string;
  };
  listWebhookDeliveries: {
    limit?: number;
    startingAfter?: string;
  };
  listWebhookEndpoints: never;
  opsCreateOrg: never;
  opsDrainProvider: never;
  opsEndCooldown: never;
  opsIssueOrgKey: never;
  opsListAudit: {
    limit?: number;
    target?: string;
  };
  opsListLedgerEntries: {
    charged?: "charged" | "free" | "unknown";
    limit?: number;
    startingAfter?: string;
  };
  opsListOrgKeys: never;
  opsListOrgs: never;
  opsListProviders: never;
  opsListReviews: {
    limit?: number;
  };
  opsResetBreaker: never;
  opsResolveLedgerEntry: never;
  opsRestoreProvider: never;
  opsRevokeOrgKey: never;
  opsSetCapabilities: never;
  opsSetSpendCap: never;
  opsUsage: {
    from?: string;
    to?: string;
  };
  overrideKycTier: never;
  receiveVendorWebhook: never;
  reconcileInvoice: never;
  redeliverWebhook: never;
  registerPasskey: never;
  replaceRoutingPolicy: never;
  resolveLedgerEntry: never;
  revokeKey: never;
  rotateWebhookSecret: never;
  sendTestWebhook: never;
  submitCapture: never;
}

/** Each operation's JSON body (`never`: it takes none). */
export interface RequestBodies {
  authenticatePasskey: {
    response: {
      id: string;
      rawId: string;
      type: "public-key";
      response: {
        clientDataJSON: string;
        authenticatorData: string;
        signature: string;
        userHandle?: string;
      };
      authenticatorAttachment?: "platform" | "cross-platform";
      clientExtensionResults: {
        [key: string]: unknown;
      };
    };
  };
  checkNikDukcapil: {
    customerId: string;
    nik: string;
    selfie: string;
    ktpImage?: string;
    name?: string;
    birthDate?: string;
  };
  createCustomer: {
    externalRef: string;
  };
  createFlashChallenge: {
    customerId: string;
    kind: "selfie" | "ktp";
    version?: 1 | 2;
  };
  createKey: {
    name: string;
    scopes: Array<"customers:write" | "customers:view" | "keys:write" | "keys:view" | "verifications:write" | "verifications:view" | "captures:write" | "captures:view" | "matches:write" | "matches:view" | "enrollments:write" | "enrollments:view" | "kyc:write" | "kyc:view" | "usage:view" | "usage:manage" | "providers:view" | "routing:manage" | "passkeys:write" | "passkeys:view" | "passkeys:authenticate" | "webhooks:manage" | "events:view">;
  };
  createMatch: {
    customerId: string;
    captureBundleId?: string;
    liveImage?: string;
    faceEnrollmentId?: string;
    referenceImage?: string;
  };
  createPasskeyAuthenticationOptions: Record<string, never>;
  createPasskeyRegistrationOptions: {
    userName?: string;
    displayName?: string;
  };
  createVerification: {
    customerId: string;
    check: "identity_selfie" | "name_check" | "document" | "face_match" | "liveness" | "hosted_session" | "ekyc_request";
    input: {
      [key: string]: unknown;
    };
    provider?: string;
    mode?: "sync" | "async";
  };
  createWebhookEndpoint: {
    url: string;
    enabledEvents: Array<"*" | "verification.completed" | "verification.updated" | "capture.completed" | "kyc.tier_changed" | "provider.state_changed" | "webhook_endpoint.disabled">;
    description?: string;
  };
  deactivateEnrollment: {
    reason: string;
  };
  deletePasskey: never;
  deleteWebhookEndpoint: never;
  enableWebhookEndpoint: never;
  enrollFace: {
    captureBundleId?: string;
    image?: string;
  };
  explainRouting: {
    check: "identity_selfie" | "name_check" | "document" | "face_match" | "liveness" | "hosted_session" | "ekyc_request";
    input?: {
      [key: string]: unknown;
    };
    provider?: string;
  };
  getCapture: never;
  getCustomer: never;
  getEnrollment: never;
  getEvent: never;
  getHealth: never;
  getKycStatus: never;
  getMappingTable: never;
  getMatch: never;
  getMetrics: never;
  getOpenApiDocument: never;
  getReadiness: never;
  getReferenceAsset: never;
  getReferencePage: never;
  getRoutingPolicy: never;
  getUsage: never;
  getVerification: never;
  getWebhookEndpoint: never;
  listCustomers: never;
  listEnrollments: never;
  listEvents: never;
  listKeys: never;
  listKycOverrides: never;
  listLedgerEntries: never;
  listPasskeys: never;
  listProviders: never;
  listVerifications: never;
  listWebhookDeliveries: never;
  listWebhookEndpoints: never;
  opsCreateOrg: {
    name: string;
    capabilities?: Array<"dukcapil" | "hosted_session" | "live_traffic">;
    reason: string;
  };
  opsDrainProvider: {
    reason: string;
  };
  opsEndCooldown: {
    reason: string;
    mode?: "test" | "live";
  };
  opsIssueOrgKey: {
    name: string;
    mode: "test" | "live";
    scopes: Array<"customers:write" | "customers:view" | "keys:write" | "keys:view" | "verifications:write" | "verifications:view" | "captures:write" | "captures:view" | "matches:write" | "matches:view" | "enrollments:write" | "enrollments:view" | "kyc:write" | "kyc:view" | "usage:view" | "usage:manage" | "providers:view" | "routing:manage" | "passkeys:write" | "passkeys:view" | "passkeys:authenticate" | "webhooks:manage" | "events:view">;
    reason: string;
  };
  opsListAudit: never;
  opsListLedgerEntries: never;
  opsListOrgKeys: never;
  opsListOrgs: never;
  opsListProviders: never;
  opsListReviews: never;
  opsResetBreaker: {
    reason: string;
    mode?: "test" | "live";
  };
  opsResolveLedgerEntry: {
    charged: "charged" | "free";
    note: string;
  };
  opsRestoreProvider: {
    reason: string;
  };
  opsRevokeOrgKey: {
    reason: string;
  };
  opsSetCapabilities: {
    capabilities: Array<"dukcapil" | "hosted_session" | "live_traffic">;
    reason: string;
  };
  opsSetSpendCap: {
    dailyIdr: number | null;
    reason: string;
  };
  opsUsage: never;
  overrideKycTier: {
    tier: "none" | "basic" | "standard" | "premium";
    reason: string;
    analyst?: string;
  };
  receiveVendorWebhook: never;
  reconcileInvoice: {
    provider: string;
    fileName: string;
    csv: string;
    from?: string;
    to?: string;
  };
  redeliverWebhook: never;
  registerPasskey: {
    response: {
      id: string;
      rawId: string;
      type: "public-key";
      response: {
        clientDataJSON: string;
        attestationObject: string;
        authenticatorData?: string;
        transports?: Array<string>;
        publicKeyAlgorithm?: number;
        publicKey?: string;
      };
      authenticatorAttachment?: "platform" | "cross-platform";
      clientExtensionResults: {
        [key: string]: unknown;
      };
    };
    name?: string;
  };
  replaceRoutingPolicy: {
    allowFailoverAfterUnknown?: boolean;
    checks: {
      identity_selfie?: Array<{
        provider: string;
        priority?: number;
        weight?: number;
        when?: {
          inputHas?: Array<string>;
          nikProvinceIn?: Array<string>;
        };
      }>;
      name_check?: Array<{
        provider: string;
        priority?: number;
        weight?: number;
        when?: {
          inputHas?: Array<string>;
          nikProvinceIn?: Array<string>;
        };
      }>;
      document?: Array<{
        provider: string;
        priority?: number;
        weight?: number;
        when?: {
          inputHas?: Array<string>;
          nikProvinceIn?: Array<string>;
        };
      }>;
      face_match?: Array<{
        provider: string;
        priority?: number;
        weight?: number;
        when?: {
          inputHas?: Array<string>;
          nikProvinceIn?: Array<string>;
        };
      }>;
      liveness?: Array<{
        provider: string;
        priority?: number;
        weight?: number;
        when?: {
          inputHas?: Array<string>;
          nikProvinceIn?: Array<string>;
        };
      }>;
      hosted_session?: Array<{
        provider: string;
        priority?: number;
        weight?: number;
        when?: {
          inputHas?: Array<string>;
          nikProvinceIn?: Array<string>;
        };
      }>;
      ekyc_request?: Array<{
        provider: string;
        priority?: number;
        weight?: number;
        when?: {
          inputHas?: Array<string>;
          nikProvinceIn?: Array<string>;
        };
      }>;
    };
  };
  resolveLedgerEntry: {
    charged: "charged" | "free";
    note: string;
  };
  revokeKey: never;
  rotateWebhookSecret: {
    overlapSeconds?: number;
  };
  sendTestWebhook: never;
  submitCapture: {
    customerId: string;
    kind: "selfie" | "ktp";
    flashChallengeNonce: string;
    timestamp: string;
    frames: Array<string>;
    signature: string;
    frameTimes?: Array<number>;
    nik?: string;
    birthDate?: string;
    sex?: "male" | "female";
  };
}

/** Every error code of the catalog (config/error-catalog.json). */
export type ErrorCode =
  | 'flash_challenge_expired'
  | 'flash_challenge_nonce_mismatch'
  | 'flash_challenge_consumed'
  | 'bundle_signature_invalid'
  | 'frames_invalid'
  | 'replay_detected'
  | 'liveness_failed'
  | 'tamper_failed'
  | 'probe_source_required'
  | 'too_many_references'
  | 'capture_bundle_not_found'
  | 'no_active_enrollments'
  | 'bundle_liveness_not_passed'
  | 'org_capability_disabled'
  | 'tier_upgrade_too_far'
  | 'reason_too_short'
  | 'missing_scope'
  | 'webauthn_challenge_expired'
  | 'rate_limited'
  | 'spend_cap_reached'
  | 'invalid_request'
  | 'invalid_json'
  | 'invalid_encoding'
  | 'unsupported_media_type'
  | 'request_headers_too_large'
  | 'request_timeout'
  | 'url_not_allowed'
  | 'payload_too_large'
  | 'route_not_found'
  | 'method_not_allowed'
  | 'resource_not_found'
  | 'api_key_missing'
  | 'api_key_invalid'
  | 'webhook_signature_invalid'
  | 'webhook_invalid'
  | 'webhook_stale'
  | 'operator_key_required'
  | 'csrf_token_invalid'
  | 'operator_key_not_accepted'
  | 'idempotency_key_invalid'
  | 'idempotency_key_in_use'
  | 'idempotency_key_reused'
  | 'webauthn_challenge_invalid'
  | 'passkey_verification_failed'
  | 'passkey_counter_regressed'
  | 'passkey_kyc_required'
  | 'passkey_already_registered'
  | 'passkey_none_registered'
  | 'provider_unavailable'
  | 'provider_timeout'
  | 'provider_quota_exhausted'
  | 'provider_auth_failed'
  | 'provider_not_configured'
  | 'upstream_unmapped'
  | 'provider_duplicate_request'
  | 'provider_request_rejected'
  | 'provider_account_disabled'
  | 'provider_rate_limited'
  | 'provider_session_unavailable'
  | 'provider_check_failed'
  | 'service_unavailable'
  | 'internal_error'
  | 'face_not_found'
  | 'face_quality_too_low'
  | 'enrollment_inactive'
  | 'webhook_url_not_allowed'
  | 'webhook_endpoint_limit'
  | 'webhook_endpoint_disabled';
