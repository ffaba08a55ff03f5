import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { openDb, type Db } from '../../src/store/db';
import { migrate } from '../../src/store/migrate';

export interface TestDatabase {
  name: 'pglite' | 'postgres';
  open(): Promise<Db>;
}

/**
 * The engines storage tests run on: PGlite always; server Postgres too when TEST_DATABASE_URL is set
 * (CI sets it). Each server database lives in a schema of its own, dropped when closed.
 */
export function testDatabases(): TestDatabase[] {
  const engines: TestDatabase[] = [
    {
      name: 'pglite',
      async open() {
        const db = await openDb({ pgliteDir: 'memory://' });
        await migrate(db);
        return db;
      },
    },
  ];
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    engines.push({
      name: 'postgres',
      async open() {
        const { schema, url: scoped } = await newSchema(url, 't');
        const db = await openDb({ databaseUrl: scoped, poolSize: 5 });
        await migrate(db);
        return {
          ...db,
          async close() {
            await db.query(`DROP SCHEMA ${schema} CASCADE`);
            await db.close();
          },
        };
      },
    });
  }
  return engines;
}

/** A fresh schema on the server at `url`, and a URL whose connections use it (search_path through `options`). */
export async function newSchema(url: string, prefix: string): Promise<{ schema: string; url: string }> {
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.end();
  }
  const scoped = new URL(url);
  scoped.searchParams.set('options', `-c search_path=${schema}`);
  return { schema, url: scoped.toString() };
}
