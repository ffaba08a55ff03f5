/**
 * The database engines the bench runs G and F on: PGlite in memory, or server Postgres in a schema of
 * its own (created at start, dropped at the end, as test/helpers/databases.ts does), so runs never see
 * each other's rows. Every `open()` is a new handle (a PGlite instance, or a pool on the schema).
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { openDb, type Db } from '../src/store/db';

export type EngineName = 'pglite' | 'postgres';

export interface BenchEngine {
  name: EngineName;
  /** Where the data lives, for the report. */
  where: string;
  open(): Promise<Db>;
  /** Drops the schema (server Postgres); the handles from `open()` must be closed first. */
  close(): Promise<void>;
}

export async function benchEngine(name: EngineName, url: string | undefined): Promise<BenchEngine> {
  if (name === 'pglite') {
    // In its worker thread, as the embedded run (`npm start`) uses it (src/store/open-store.ts).
    return {
      name,
      where: 'PGlite in memory, in its worker thread',
      open: () => openDb({ pgliteDir: 'memory://', pgliteThread: true }),
      close: async () => undefined,
    };
  }
  if (!url) throw new Error('--db postgres needs DATABASE_URL or TEST_DATABASE_URL');
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE SCHEMA ${schema}`);
  const scoped = new URL(url);
  scoped.searchParams.set('options', `-c search_path=${schema}`);
  return {
    name,
    where: `server Postgres ${scoped.host}${scoped.pathname}, schema ${schema}`,
    open: () => openDb({ databaseUrl: scoped.toString() }),
    close: () => admin(`DROP SCHEMA ${schema} CASCADE`),
  };
}
