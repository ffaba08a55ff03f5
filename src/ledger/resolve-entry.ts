import { AppError } from '../errors/app-error';
import type { Queryable } from '../store/db';
import { findLedgerEntry, resolveLedgerEntry, type LedgerRow, type Resolution } from './ledger-repo';

/**
 * Settles one `unknown` ledger row as charged or free by hand, in `tx`, and answers the row as it now is.
 * `orgId` confines it to one org (a tenant's `usage:manage` key); null lets an operator settle any org's.
 * An entry outside that reach is a 404; one that is not (or no longer) unknown, or still in flight, a 400.
 */
export async function resolveUnknownCharge(tx: Queryable, orgId: string | null, id: string, resolution: Resolution): Promise<LedgerRow> {
  const done = await resolveLedgerEntry(tx, orgId, id, resolution);
  const entry = await findLedgerEntry(tx, orgId, id);
  if (!entry) throw new AppError('resource_not_found', { params: { resource: 'ledger entry' }, param: 'id' });
  if (!done) {
    throw new AppError('invalid_request', {
      params: { detail: `ledger entry is already ${entry.charged}; only unknown entries can be resolved` },
      param: 'id',
    });
  }
  return entry;
}
