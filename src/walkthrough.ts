import type { Db } from './store/db';
import type { KeyMaterial } from './tenancy/key-material';
import { issueOperatorKey, listOperatorKeys, revokeOperatorKey, type IssuedOperatorKey } from './ops/operator-keys-repo';
import { issueKey, listKeys, revokeKey, type IssuedKey } from './tenancy/keys-repo';
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
 * The sandbox org and a fresh sandbox key (every tenant scope, no operator power) for the README
 * walk-through, and a fresh operator key for its drain example. Keys are shown only once, so each run
 * issues new ones and revokes the previous run's.
 */
export async function prepareWalkthrough(db: Db, keys: KeyMaterial, now: Date): Promise<WalkthroughKeys> {
  return db.transaction(async (tx) => {
    const org = (await listOrgs(tx)).find((o) => o.name === ORG_NAME) ?? (await createOrg(tx, { name: ORG_NAME, capabilities: ['dukcapil'] }));
    for (const key of await listKeys(tx, org.id)) {
      if (key.name === KEY_NAME && !key.revokedAt) await revokeKey(tx, org.id, key.id, now);
    }
    for (const key of await listOperatorKeys(tx)) {
      if (key.name === OPERATOR_NAME && !key.revokedAt) await revokeOperatorKey(tx, key.id, now);
    }
    return {
      tenant: await issueKey(tx, keys, { orgId: org.id, name: KEY_NAME, mode: 'test', scopes: [...SCOPES] }),
      operator: await issueOperatorKey(tx, keys, OPERATOR_NAME),
    };
  });
}

export function walkthroughBanner(url: string, { tenant: key, operator }: WalkthroughKeys): string {
  return [
    '',
    `verigate is running at ${url}`,
    `sandbox org ${key.orgId}, sandbox key (shown once): ${key.key}`,
    '',
    'Try it:',
    `  curl -s ${url}/readyz`,
    `  curl -s -X POST ${url}/v1/customers -H "Authorization: Bearer ${key.key}" \\`,
    `       -H 'Content-Type: application/json' -H 'Idempotency-Key: first-customer' -d '{"externalRef":"user-42"}'`,
    '',
    `operator key (shown once; drains, cooldowns, breakers and orgs for every tenant, under /v1/ops): ${operator.key}`,
    `  curl -s ${url}/v1/ops/providers -H "Authorization: Bearer ${operator.key}"`,
    '',
    'Stop with Ctrl-C.',
    '',
  ].join('\n');
}
