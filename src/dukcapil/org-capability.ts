import { AppError } from '../errors/app-error';
import type { Queryable } from '../store/db';
import { findOrg } from '../tenancy/orgs-repo';
import type { Capability } from '../tenancy/scopes';

/**
 * Refuses an org that was not granted `capability` (seed 000: `403 org capability disabled: dukcapil`).
 * Read from the database on every call rather than from the key, so granting or withdrawing a capability
 * takes effect at once for every key of the org.
 */
export async function assertOrgCapability(db: Queryable, orgId: string, capability: Capability): Promise<void> {
  const org = await findOrg(db, orgId);
  if (!org?.capabilities.includes(capability)) throw new AppError('org_capability_disabled', { params: { capability } });
}
