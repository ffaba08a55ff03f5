import { newId } from '../ids';
import type { Queryable } from '../store/db';

export interface Customer {
  id: string;
  orgId: string;
  externalRef: string;
  createdAt: Date;
}

interface CustomerRow {
  id: string;
  org_id: string;
  external_ref: string;
  created_at: Date;
}

const toCustomer = (r: CustomerRow): Customer => ({
  id: r.id,
  orgId: r.org_id,
  externalRef: r.external_ref,
  createdAt: r.created_at,
});

/** Creates the customer, or returns null when the org already has one with this external reference. */
export async function insertCustomer(db: Queryable, orgId: string, externalRef: string): Promise<Customer | null> {
  const { rows } = await db.query<CustomerRow>(
    `INSERT INTO customers (id, org_id, external_ref) VALUES ($1, $2, $3)
     ON CONFLICT (org_id, external_ref) DO NOTHING RETURNING *`,
    [newId('cus'), orgId, externalRef],
  );
  return rows[0] ? toCustomer(rows[0]) : null;
}

export async function findCustomer(db: Queryable, orgId: string, id: string): Promise<Customer | null> {
  const { rows } = await db.query<CustomerRow>('SELECT * FROM customers WHERE id = $1 AND org_id = $2', [id, orgId]);
  return rows[0] ? toCustomer(rows[0]) : null;
}

export async function findCustomerByRef(db: Queryable, orgId: string, externalRef: string): Promise<Customer | null> {
  const { rows } = await db.query<CustomerRow>('SELECT * FROM customers WHERE org_id = $1 AND external_ref = $2', [orgId, externalRef]);
  return rows[0] ? toCustomer(rows[0]) : null;
}

/** One page in creation order; `after` is the id of the last customer of the previous page. */
export async function listCustomers(db: Queryable, orgId: string, limit: number, after?: string): Promise<Customer[]> {
  const { rows } = await db.query<CustomerRow>(
    `SELECT * FROM customers WHERE org_id = $1
       AND ($2::text IS NULL OR seq > (SELECT seq FROM customers WHERE id = $2 AND org_id = $1))
     ORDER BY seq LIMIT $3`,
    [orgId, after ?? null, limit],
  );
  return rows.map(toCustomer);
}
