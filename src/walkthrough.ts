import type { Db } from './store/db';
import type { KeyMaterial } from './tenancy/key-material';
import { issueKey, listKeys, revokeKey, type IssuedKey } from './tenancy/keys-repo';
import { createOrg, listOrgs } from './tenancy/orgs-repo';
import { SCOPES } from './tenancy/scopes';

const ORG_NAME = 'Walk-through sandbox';
const KEY_NAME = 'walk-through';

/**
 * The sandbox org and a fresh sandbox key for the README walk-through. A key is shown only once, so each
 * run issues a new one and revokes the previous run's.
 */
export async function prepareWalkthrough(db: Db, keys: KeyMaterial, now: Date): Promise<IssuedKey> {
  return db.transaction(async (tx) => {
    const org = (await listOrgs(tx)).find((o) => o.name === ORG_NAME) ?? (await createOrg(tx, { name: ORG_NAME, capabilities: ['dukcapil'] }));
    for (const key of await listKeys(tx, org.id)) {
      if (key.name === KEY_NAME && !key.revokedAt) await revokeKey(tx, org.id, key.id, now);
    }
    return issueKey(tx, keys, { orgId: org.id, name: KEY_NAME, mode: 'test', scopes: [...SCOPES] });
  });
}

export function walkthroughBanner(url: string, key: IssuedKey): string {
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
    'Stop with Ctrl-C.',
    '',
  ].join('\n');
}
