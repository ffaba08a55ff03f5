import { z } from 'zod';
import { requireCustomer } from '../../customers/require-customer';
import { findCustomer, findCustomerByRef, insertCustomer, listCustomers, type Customer } from '../../customers/customers-repo';
import { AppError } from '../../errors/app-error';
import type { AppDeps } from '../../deps';
import { route, type RouteSpec } from '../route';

const CreateCustomer = z
  .object({
    /** The integrator's own id for this person; never a NIK or a name. */
    externalRef: z.string().trim().min(1).max(128),
  })
  .strict();

const ListQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(20),
    startingAfter: z.string().regex(/^cus_\w+$/).optional(),
  })
  .strict();

const present = (c: Customer) => ({ id: c.id, object: 'customer', externalRef: c.externalRef, createdAt: c.createdAt.toISOString() });

export function customerRoutes(deps: AppDeps): RouteSpec[] {
  return [
    /** Creates the customer; an externalRef the org already uses answers 200 with the existing one. */
    route({
      method: 'post',
      path: '/v1/customers',
      scope: 'customers:write',
      rateLimit: 'customers.create',
      body: CreateCustomer,
      handler: ({ caller, body, transaction }) =>
        transaction(async (tx) => {
          const created = await insertCustomer(tx, caller.orgId, body.externalRef);
          if (created) return { status: 201, body: present(created) };
          const existing = (await findCustomerByRef(tx, caller.orgId, body.externalRef)) as Customer;
          return { status: 200, body: present(existing) };
        }),
    }),
    route({
      method: 'get',
      path: '/v1/customers/:id',
      scope: 'customers:view',
      handler: async ({ caller, params }) => {
        return { status: 200, body: present(await requireCustomer(deps.db, caller.orgId, params.id as string, 'id')) };
      },
    }),
    route({
      method: 'get',
      path: '/v1/customers',
      scope: 'customers:view',
      query: ListQuery,
      handler: async ({ caller, query }) => {
        const q = query;
        // An unknown cursor must not read as an empty last page.
        if (q.startingAfter && !(await findCustomer(deps.db, caller.orgId, q.startingAfter))) {
          throw new AppError('invalid_request', { params: { detail: 'startingAfter: no such customer' }, param: 'startingAfter' });
        }
        const page = await listCustomers(deps.db, caller.orgId, q.limit + 1, q.startingAfter);
        const data = page.slice(0, q.limit).map(present);
        return { status: 200, body: { object: 'list', data, hasMore: page.length > q.limit, nextCursor: page.length > q.limit ? data.at(-1)?.id : null } };
      },
    }),
  ];
}
