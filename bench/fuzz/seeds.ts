/**
 * One valid request per route of the API: the starting points the fuzzer mutates. `{cus}` and the like are
 * filled with the fuzz server's ids. test/fuzz/fuzz.test.ts checks that every route the app declares has
 * a seed here, so a new route is fuzzed from the day it exists.
 */
export interface Ids {
  customerId: string;
  spareKeyId: string;
}

export interface Seed {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The route's declared path (what the coverage check compares). */
  route: string;
  path: (ids: Ids) => string;
  body?: (ids: Ids) => unknown;
  query?: Record<string, string>;
}

const SELFIE = Buffer.from('selfie pixels').toString('base64');
const NIK = '3217061012870001';
const NOW = () => new Date().toISOString();

export const SEEDS: Seed[] = [
  { method: 'GET', route: '/healthz', path: () => '/healthz' },
  { method: 'GET', route: '/readyz', path: () => '/readyz' },
  { method: 'GET', route: '/metrics', path: () => '/metrics' },
  { method: 'GET', route: '/mapping-table', path: () => '/mapping-table', query: { provider: 'accuauth', format: 'csv' } },
  { method: 'POST', route: '/v1/keys', path: () => '/v1/keys', body: () => ({ name: 'fuzzed', scopes: ['customers:view'] }) },
  { method: 'GET', route: '/v1/keys', path: () => '/v1/keys' },
  { method: 'DELETE', route: '/v1/keys/:id', path: (i) => `/v1/keys/${i.spareKeyId}` },
  { method: 'POST', route: '/v1/customers', path: () => '/v1/customers', body: () => ({ externalRef: 'user-42' }) },
  { method: 'GET', route: '/v1/customers', path: () => '/v1/customers', query: { limit: '5' } },
  { method: 'GET', route: '/v1/customers/:id', path: (i) => `/v1/customers/${i.customerId}` },
  {
    method: 'POST',
    route: '/v1/verifications',
    path: () => '/v1/verifications',
    body: (i) => ({ customerId: i.customerId, check: 'identity_selfie', provider: 'auto', input: { idNumber: NIK, faceImage: SELFIE } }),
  },
  {
    method: 'POST',
    route: '/v1/verifications',
    path: () => '/v1/verifications',
    body: (i) => ({
      customerId: i.customerId,
      check: 'document',
      provider: 'lapis',
      input: { front: { url: 'https://files.example.com/ktp.jpg' } },
    }),
  },
  {
    method: 'POST',
    route: '/v1/verifications',
    path: () => '/v1/verifications',
    body: (i) => ({ customerId: i.customerId, check: 'name_check', input: { idNumber: NIK, name: 'Budi Santoso' } }),
  },
  { method: 'GET', route: '/v1/verifications', path: () => '/v1/verifications', query: { status: 'passed' } },
  { method: 'GET', route: '/v1/verifications/:id', path: () => '/v1/verifications/ver_x' },
  { method: 'GET', route: '/v1/usage', path: () => '/v1/usage', query: { format: 'csv' } },
  { method: 'GET', route: '/v1/usage/entries', path: () => '/v1/usage/entries' },
  {
    method: 'POST',
    route: '/v1/usage/entries/:id/resolve',
    path: () => '/v1/usage/entries/led_x/resolve',
    body: () => ({ charged: 'free', note: 'invoice line 12 says free' }),
  },
  {
    method: 'POST',
    route: '/v1/usage/reconciliations',
    path: () => '/v1/usage/reconciliations',
    body: () => ({ provider: 'accuauth', fileName: 'invoice.csv', csv: 'date,reference,amount\n2026-11-01,ord-1,3500\n' }),
  },
  {
    method: 'POST',
    route: '/v1/webhooks/:provider',
    path: () => '/v1/webhooks/idenfy',
    body: () => ({ final: true, scanRef: '00000000-0000-0000-0000-000000000000', status: { overall: 'APPROVED' } }),
  },
  {
    method: 'POST',
    route: '/v1/webhook-endpoints',
    path: () => '/v1/webhook-endpoints',
    body: () => ({ url: 'https://hooks.example.com/verigate', enabledEvents: ['verification.completed'] }),
  },
  { method: 'GET', route: '/v1/webhook-endpoints', path: () => '/v1/webhook-endpoints' },
  { method: 'GET', route: '/v1/webhook-endpoints/:id', path: () => '/v1/webhook-endpoints/we_x' },
  { method: 'DELETE', route: '/v1/webhook-endpoints/:id', path: () => '/v1/webhook-endpoints/we_x' },
  {
    method: 'POST',
    route: '/v1/webhook-endpoints/:id/rotate-secret',
    path: () => '/v1/webhook-endpoints/we_x/rotate-secret',
    body: () => ({ overlapSeconds: 3600 }),
  },
  { method: 'POST', route: '/v1/webhook-endpoints/:id/enable', path: () => '/v1/webhook-endpoints/we_x/enable' },
  { method: 'POST', route: '/v1/webhook-endpoints/:id/test', path: () => '/v1/webhook-endpoints/we_x/test' },
  {
    method: 'GET',
    route: '/v1/webhook-endpoints/:id/deliveries',
    path: () => '/v1/webhook-endpoints/we_x/deliveries',
    query: { limit: '5' },
  },
  {
    method: 'POST',
    route: '/v1/webhook-endpoints/:id/deliveries/:deliveryId/redeliver',
    path: () => '/v1/webhook-endpoints/we_x/deliveries/dlv_x/redeliver',
  },
  { method: 'GET', route: '/v1/events', path: () => '/v1/events', query: { type: 'verification.completed' } },
  { method: 'GET', route: '/v1/events/:id', path: () => '/v1/events/evt_x' },
  { method: 'GET', route: '/openapi.json', path: () => '/openapi.json' },
  { method: 'GET', route: '/docs', path: () => '/docs' },
  { method: 'GET', route: '/docs/assets/:file', path: () => '/docs/assets/swagger-ui.css' },
  { method: 'GET', route: '/v1/routing/policy', path: () => '/v1/routing/policy' },
  {
    method: 'PUT',
    route: '/v1/routing/policy',
    path: () => '/v1/routing/policy',
    body: () => ({ checks: { identity_selfie: [{ provider: 'accuauth', priority: 1, weight: 1 }] } }),
  },
  {
    method: 'POST',
    route: '/v1/routing/explain',
    path: () => '/v1/routing/explain',
    body: () => ({ check: 'identity_selfie', input: { idNumber: NIK } }),
  },
  { method: 'GET', route: '/v1/providers', path: () => '/v1/providers' },
  // Operator routes, sent with the fuzz server's tenant key (every scope): each must be refused, whatever the body.
  { method: 'GET', route: '/v1/ops/providers', path: () => '/v1/ops/providers' },
  {
    method: 'POST',
    route: '/v1/ops/providers/:id/drain',
    path: () => '/v1/ops/providers/accuauth/drain',
    body: () => ({ reason: 'fuzzing the drain route' }),
  },
  {
    method: 'POST',
    route: '/v1/ops/providers/:id/restore',
    path: () => '/v1/ops/providers/accuauth/restore',
    body: () => ({ reason: 'fuzzing the restore route' }),
  },
  {
    method: 'POST',
    route: '/v1/ops/providers/:id/end-cooldown',
    path: () => '/v1/ops/providers/accuauth/end-cooldown',
    body: () => ({ reason: 'fuzzing end-cooldown', mode: 'test' }),
  },
  {
    method: 'POST',
    route: '/v1/ops/providers/:id/reset-breaker',
    path: () => '/v1/ops/providers/accuauth/reset-breaker',
    body: () => ({ reason: 'fuzzing reset-breaker' }),
  },
  { method: 'GET', route: '/v1/ops/orgs', path: () => '/v1/ops/orgs' },
  {
    method: 'POST',
    route: '/v1/ops/orgs',
    path: () => '/v1/ops/orgs',
    body: () => ({ name: 'Fuzz Org', capabilities: ['dukcapil'], reason: 'fuzzing org creation' }),
  },
  { method: 'GET', route: '/v1/ops/orgs/:id/keys', path: () => '/v1/ops/orgs/org_x/keys' },
  {
    method: 'POST',
    route: '/v1/ops/orgs/:id/keys',
    path: () => '/v1/ops/orgs/org_x/keys',
    body: () => ({ name: 'fuzz', mode: 'test', scopes: ['customers:write'], reason: 'fuzzing key issuing' }),
  },
  {
    method: 'POST',
    route: '/v1/ops/orgs/:id/keys/:keyId/revoke',
    path: () => '/v1/ops/orgs/org_x/keys/key_x/revoke',
    body: () => ({ reason: 'fuzzing key revoking' }),
  },
  {
    method: 'POST',
    route: '/v1/ops/orgs/:id/capabilities',
    path: () => '/v1/ops/orgs/org_x/capabilities',
    body: () => ({ capabilities: ['dukcapil'], reason: 'fuzzing capabilities' }),
  },
  {
    method: 'POST',
    route: '/v1/ops/orgs/:id/spend-cap',
    path: () => '/v1/ops/orgs/org_x/spend-cap',
    body: () => ({ dailyIdr: 100000, reason: 'fuzzing spend caps' }),
  },
  { method: 'GET', route: '/v1/ops/audit', path: () => '/v1/ops/audit', query: { limit: '5' } },
  { method: 'GET', route: '/v1/ops/usage', path: () => '/v1/ops/usage', query: { from: '2026-01-01', to: '2026-01-31' } },
  { method: 'GET', route: '/v1/ops/usage/entries', path: () => '/v1/ops/usage/entries', query: { charged: 'unknown', limit: '5' } },
  {
    method: 'POST',
    route: '/v1/ops/usage/entries/:id/resolve',
    path: () => '/v1/ops/usage/entries/att_x/resolve',
    body: () => ({ charged: 'free', note: 'fuzzing the operator resolve' }),
  },
  { method: 'GET', route: '/v1/ops/reviews', path: () => '/v1/ops/reviews', query: { limit: '5' } },
  {
    method: 'POST',
    route: '/v1/flash-challenges',
    path: () => '/v1/flash-challenges',
    body: (i) => ({ customerId: i.customerId, kind: 'selfie' }),
  },
  {
    method: 'POST',
    route: '/v1/captures',
    path: () => '/v1/captures',
    body: (i) => ({
      customerId: i.customerId,
      kind: 'selfie',
      flashChallengeNonce: 'n',
      timestamp: NOW(),
      frames: [SELFIE],
      signature: '00',
    }),
  },
  { method: 'GET', route: '/v1/captures/:id', path: () => '/v1/captures/cap_x' },
  {
    method: 'POST',
    route: '/v1/customers/:id/enrollments',
    path: (i) => `/v1/customers/${i.customerId}/enrollments`,
    body: () => ({ image: SELFIE }),
  },
  { method: 'GET', route: '/v1/customers/:id/enrollments', path: (i) => `/v1/customers/${i.customerId}/enrollments` },
  { method: 'GET', route: '/v1/enrollments/:id', path: () => '/v1/enrollments/fen_x' },
  {
    method: 'POST',
    route: '/v1/enrollments/:id/deactivate',
    path: () => '/v1/enrollments/fen_x/deactivate',
    body: () => ({ reason: 'customer asked' }),
  },
  {
    method: 'POST',
    route: '/v1/matches',
    path: () => '/v1/matches',
    body: (i) => ({ customerId: i.customerId, liveImage: SELFIE, referenceImage: SELFIE }),
  },
  { method: 'GET', route: '/v1/matches/:id', path: () => '/v1/matches/mat_x' },
  { method: 'GET', route: '/v1/customers/:id/kyc', path: (i) => `/v1/customers/${i.customerId}/kyc` },
  {
    method: 'POST',
    route: '/v1/customers/:id/kyc/override',
    path: (i) => `/v1/customers/${i.customerId}/kyc/override`,
    body: () => ({ tier: 'none', reason: 'Restricted after a fraud report came in', analyst: 'Sari W.' }),
  },
  { method: 'GET', route: '/v1/customers/:id/kyc/overrides', path: (i) => `/v1/customers/${i.customerId}/kyc/overrides` },
  {
    method: 'POST',
    route: '/v1/nik/dukcapil',
    path: () => '/v1/nik/dukcapil',
    body: (i) => ({ customerId: i.customerId, nik: NIK, selfie: SELFIE }),
  },
  {
    method: 'POST',
    route: '/v1/customers/:id/passkeys/registration/options',
    path: (i) => `/v1/customers/${i.customerId}/passkeys/registration/options`,
    body: () => ({}),
  },
  {
    method: 'POST',
    route: '/v1/customers/:id/passkeys/registration',
    path: (i) => `/v1/customers/${i.customerId}/passkeys/registration`,
    body: () => ({
      response: {
        id: 'AAAA',
        rawId: 'AAAA',
        type: 'public-key',
        response: { clientDataJSON: 'e30', attestationObject: 'AAAA' },
        clientExtensionResults: {},
      },
    }),
  },
  {
    method: 'POST',
    route: '/v1/customers/:id/passkeys/authentication/options',
    path: (i) => `/v1/customers/${i.customerId}/passkeys/authentication/options`,
    body: () => ({}),
  },
  {
    method: 'POST',
    route: '/v1/customers/:id/passkeys/authentication',
    path: (i) => `/v1/customers/${i.customerId}/passkeys/authentication`,
    body: () => ({
      response: {
        id: 'AAAA',
        rawId: 'AAAA',
        type: 'public-key',
        response: { clientDataJSON: 'e30', authenticatorData: 'AAAA', signature: 'AAAA' },
        clientExtensionResults: {},
      },
    }),
  },
  { method: 'GET', route: '/v1/customers/:id/passkeys', path: (i) => `/v1/customers/${i.customerId}/passkeys` },
  { method: 'DELETE', route: '/v1/customers/:id/passkeys/:passkeyId', path: (i) => `/v1/customers/${i.customerId}/passkeys/pk_x` },
];
