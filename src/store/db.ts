import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Pool, types } from 'pg';

// int8 (counts, sums) as numbers: every bigint we store stays far below 2^53.
types.setTypeParser(types.builtins.INT8, (value) => Number(value));

// Marks code running inside a transaction. There, the pool-level query would deadlock on PGlite (one
// connection, held by the transaction) and silently escape the transaction on server Postgres.
const inTransaction = new AsyncLocalStorage<true>();

function outsideTransaction(): void {
  if (inTransaction.getStore()) throw new Error('db.query inside a transaction: use the transaction handle it was given');
}

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

/** What repositories need: a query. Both a pool and an open transaction offer it. */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<T>>;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * How a use case commits its writes: one transaction, which the caller may widen. A route passes one that
 * stores the request's idempotent reply in the same transaction (the effect and its remembered answer
 * commit together); a worker passes `db.transaction`.
 */
export type Commit<T> = (work: (tx: Queryable) => Promise<T>) => Promise<T>;

export interface DbOptions {
  /** Server Postgres connection string; when absent, PGlite stores its data in `pgliteDir`. */
  databaseUrl?: string;
  /** Folder for PGlite's data; `memory://` keeps it in memory (tests). */
  pgliteDir?: string;
  /** Largest pool size for server Postgres (default 10). */
  poolSize?: number;
}

export async function openDb(options: DbOptions): Promise<Db> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolSize ?? 10);
  return openPglite(options.pgliteDir ?? 'memory://');
}

async function openPostgres(url: string, max: number): Promise<Db> {
  const pool = new Pool({ connectionString: url, max, connectionTimeoutMillis: 5000 });
  pool.on('error', () => undefined); // an idle client dropped by the server; the next query reconnects
  const query = async <T>(sql: string, params?: unknown[]) => {
    outsideTransaction();
    const result = await pool.query(sql, params as unknown[]);
    return { rows: result.rows as T[], rowCount: result.rowCount ?? 0 };
  };
  return {
    kind: 'postgres',
    query,
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await inTransaction.run(true, () => fn({
          query: async <T>(sql: string, params?: unknown[]) => {
            const r = await client.query(sql, params as unknown[]);
            return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
          },
        }));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

async function openPglite(dir: string): Promise<Db> {
  if (!dir.startsWith('memory://')) mkdirSync(dir, { recursive: true });
  const pg = await PGlite.create(dir);
  const toResult = <T>(r: { rows: unknown[]; affectedRows?: number }) => ({
    rows: r.rows as T[],
    rowCount: Math.max(r.affectedRows ?? 0, r.rows.length),
  });
  return {
    kind: 'pglite',
    query: async <T>(sql: string, params?: unknown[]) => {
      outsideTransaction();
      return toResult<T>(await pg.query(sql, params));
    },
    // PGlite is one connection: its transaction() holds it exclusively, so concurrent callers queue.
    transaction: (fn) =>
      pg.transaction((tx) =>
        inTransaction.run(true, () => fn({ query: async <T>(sql: string, params?: unknown[]) => toResult<T>(await tx.query(sql, params)) })),
      ),
    close: () => pg.close(),
  };
}
