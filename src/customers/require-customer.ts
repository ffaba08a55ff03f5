import type { AppDeps } from '../deps';
import { AppError } from '../errors/app-error';
import type { Queryable } from '../store/db';
import { findCustomer, type Customer } from './customers-repo';

/** The org's customer, or 404 naming `param` (another org's customer is as unknown as one that never existed). */
export async function requireCustomer(db: Queryable, orgId: string, customerId: string, param = 'customerId'): Promise<Customer> {
  const customer = await findCustomer(db, orgId, customerId);
  if (!customer) throw new AppError('resource_not_found', { params: { resource: 'customer' }, param });
  return customer;
}

/** The same, for the hot path: a customer once found is served from the cache (customers are never deleted). */
export async function knownCustomer(deps: Pick<AppDeps, 'db' | 'caches'>, orgId: string, customerId: string): Promise<Customer> {
  const key = `${orgId}:${customerId}`;
  const cached = deps.caches.customers.get(key);
  if (cached) return cached;
  const customer = await requireCustomer(deps.db, orgId, customerId);
  deps.caches.customers.set(key, customer);
  return customer;
}
