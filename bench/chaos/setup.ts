/**
 * The run's database: a fresh schema in the server Postgres of DATABASE_URL (as test/helpers/databases.ts
 * does), migrated with the repo's migrations, holding one org, one sandbox key and a few customers.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { insertCustomer } from '../../src/customers/customers-repo';
import { openDb } from '../../src/store/db';
import { migrate } from '../../src/store/migrate';
import { KeyMaterial } from '../../src/tenancy/key-material';
import { issueKey } from '../../src/tenancy/keys-repo';
import { createOrg } from '../../src/tenancy/orgs-repo';
import { SCOPES } from '../../src/tenancy/scopes';

export interface RunDatabase {
  schema: string;
  /** DATABASE_URL with `options=-c search_path=<schema>`: what the API and worker get. */
  url: string;
}

export interface Tenant {
  orgId: string;
  key: string;
  customerIds: string[];
}

/** Creates `chaos_<random>` and migrates it. */
export async function createRunDatabase(baseUrl: string): Promise<RunDatabase> {
  const schema = `chaos_${randomBytes(5).toString('hex')}`;
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.end();
  }
  const scoped = new URL(baseUrl);
  scoped.searchParams.set('options', `-c search_path=${schema}`);
  const url = scoped.toString();
  const db = await openDb({ databaseUrl: url, poolSize: 2 });
  try {
    await migrate(db);
  } finally {
    await db.close();
  }
  return { schema, url };
}

/** One org, a sandbox key with every scope, and `customers` customers. */
export async function createTenant(url: string, masterKeyHex: string, customers: number): Promise<Tenant> {
  const db = await openDb({ databaseUrl: url, poolSize: 2 });
  try {
    const org = await createOrg(db, { name: 'chaos' });
    const key = await issueKey(db, new KeyMaterial(Buffer.from(masterKeyHex, 'hex')), {
      orgId: org.id,
      name: 'chaos',
      mode: 'test',
      scopes: [...SCOPES],
    });
    const customerIds: string[] = [];
    for (let i = 0; i < customers; i++) {
      const customer = await insertCustomer(db, org.id, `chaos-${i}`);
      if (!customer) throw new Error(`customer chaos-${i} already exists`);
      customerIds.push(customer.id);
    }
    return { orgId: org.id, key: key.key, customerIds };
  } finally {
    await db.close();
  }
}

export async function dropRunDatabase(baseUrl: string, schema: string): Promise<void> {
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await admin.end();
  }
}
