import { createHash } from 'node:crypto';
import type { Db } from './store/db';
import type { KeyMaterial } from './tenancy/key-material';
import { issueOperatorKey, listOperatorKeys, revokeOperatorKey, type IssuedOperatorKey } from './ops/operator-keys-repo';
import { authenticateKey, hmacKeyOf, issueKey, listKeys, revokeKey, type IssuedKey } from './tenancy/keys-repo';
import { createOrg, listOrgs } from './tenancy/orgs-repo';
import { SCOPES } from './tenancy/scopes';

const ORG_NAME = 'Walk-through sandbox';
const KEY_NAME = 'walk-through';
const OPERATOR_NAME = 'walk-through operator';

/** The walk-through's two keys: a sandbox tenant's, and an operator's kept apart from it. */
export interface WalkthroughKeys {
  tenant: IssuedKey;
  operator: IssuedOperatorKey;
}

/**
 * The sandbox org and its walk-through key (every tenant scope, sandbox mode, no operator power), and an
 * operator key for the README's drain example. The tenant key is derived from the master key, so every start
 * with the same data folder (or VERIGATE_MASTER_KEY) prints the same key and hmacKey and a README session
 * survives a restart; when the scopes change (a new capability) it changes once and the previous one is
 * revoked. The operator key acts on every tenant: it is issued fresh on each start and the previous run's
 * revoked, so an old terminal's copy stops working.
 */
export async function prepareWalkthrough(db: Db, keys: KeyMaterial, now: Date): Promise<WalkthroughKeys> {
  const scopes = [...SCOPES];
  const scopeHash = createHash('sha256').update(scopes.join(',')).digest('hex').slice(0, 16);
  // A key revoked by hand (DELETE /v1/keys/:id) stays revoked: the generation, the count of walk-through keys
  // no longer in use, moves the derivation on to a key never issued before.
  const derived = (generation: number) => keys.derive('test', `${KEY_NAME}:${scopeHash}:${generation}`);
  return db.transaction(async (tx) => {
    const org =
      (await listOrgs(tx)).find((o) => o.name === ORG_NAME) ?? (await createOrg(tx, { name: ORG_NAME, capabilities: ['dukcapil'] }));
    for (const key of await listOperatorKeys(tx)) {
      if (key.name === OPERATOR_NAME && !key.revokedAt) await revokeOperatorKey(tx, key.id, now);
    }
    const operator = await issueOperatorKey(tx, keys, OPERATOR_NAME);
    const previous = (await listKeys(tx, org.id)).filter((k) => k.name === KEY_NAME);
    const active = previous.filter((k) => !k.revokedAt);
    const current = derived(previous.length - active.length);
    const existing = await authenticateKey(tx, keys, current.plaintext);
    if (existing && existing.orgId === org.id) {
      const hmacKey = (await hmacKeyOf(tx, keys, org.id, existing.id)) as string;
      return { tenant: { ...existing, key: current.plaintext, hmacKey }, operator };
    }
    for (const key of active) await revokeKey(tx, org.id, key.id, now);
    return {
      tenant: await issueKey(tx, keys, { orgId: org.id, name: KEY_NAME, mode: 'test', scopes }, derived(previous.length)),
      operator,
    };
  });
}

export interface BannerFacts {
  /** The API's base URL. */
  url: string;
  keys: WalkthroughKeys;
  /** Each vendor simulator's base URL, by provider. */
  simulators: Record<string, string>;
  /** The Redis in use (REDIS_URL). */
  redisUrl: string;
  /** Whether the database is the embedded PGlite (under dataDir) rather than a server Postgres. */
  embedded: boolean;
  dataDir: string;
}

/** What a newcomer needs, printed after the last start-up log line, in plain text. */
export function walkthroughBanner(f: BannerFacts): string {
  const rule = '-'.repeat(100);
  const { tenant: key, operator } = f.keys;
  const sims = Object.entries(f.simulators).map(([id, url]) => `${id} ${url}`);
  const stable = f.embedded
    ? `the same on every start while ${f.dataDir} is kept`
    : 'the same on every start with this VERIGATE_MASTER_KEY';
  return [
    '',
    rule,
    `verigate is ready at ${f.url}`,
    '',
    `  API reference   ${f.url}/docs   (OpenAPI 3.1: ${f.url}/openapi.json)`,
    `  ops console     ${f.url}/console   (sign in with the vk_op_ key printed below; queues at ${f.url}/console/queues)`,
    `  metrics         ${f.url}/metrics`,
    `  sandbox org     ${key.orgId}`,
    `  sandbox key     ${key.key}`,
    `                  (${stable}; every tenant scope; reaches only the simulators)`,
    `  its hmacKey     ${key.hmacKey}`,
    '                  (signs capture bundles: hex HMAC-SHA256 over the RFC 8785 JSON of the bundle without "signature")',
    `  operator key    ${operator.key}`,
    '                  (new on every start; drains, cooldowns, breakers and orgs for every tenant, under /v1/ops, audited)',
    `  simulators      ${sims.length > 0 ? sims.join('   ') : 'none in this process'}`,
    ...(sims.length > 0 ? ['                  (what each would have billed: <url>/__sim/billing)'] : []),
    `  Redis           ${f.redisUrl}   (npm start runs its own on VERIGATE_REDIS_PORT, default 6379; or set REDIS_URL)`,
    `  database        ${f.embedded ? `embedded PGlite under ${f.dataDir}/pglite` : 'server Postgres (DATABASE_URL)'}`,
    '',
    'Try it:',
    `  KEY=${key.key}`,
    `  curl -s ${f.url}/readyz`,
    `  curl -s -X POST ${f.url}/v1/customers -H "Authorization: Bearer $KEY" \\`,
    `       -H 'Content-Type: application/json' -H 'Idempotency-Key: first-customer' -d '{"externalRef":"user-42"}'`,
    `  curl -s ${f.url}/v1/ops/providers -H "Authorization: Bearer ${operator.key}"`,
    '',
    'Stop with Ctrl-C.',
    rule,
    '',
  ].join('\n');
}
