import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { StoredResponse } from './idempotency-repo';
import { Pool, types } from 'pg';
import { openPgliteThread } from './pglite-thread';
import { textOf, type Sql } from './sql';
import { inTransaction, outsideTransaction } from './transaction-guard';

// int8 (counts, sums) as numbers: every bigint we store stays far below 2^53.
types.setTypeParser(types.builtins.INT8, (value) => Number(value));

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

/** What repositories need: a query. Both a pool and an open transaction offer it. */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: Sql, params?: unknown[]): Promise<QueryResult<T>>;
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

/**
 * How the caller's own bookkeeping joins the first and the last write of a use case that writes several
 * times. A route claims its Idempotency-Key in `begin` (so the claim commits with the use case's first
 * record, or not at all) and stores its reply in `commit`; a worker passes only `commit: db.transaction`.
 */
export interface UnitOfWork<T> {
  /**
   * Runs first inside the first write transaction; may throw (a key in use, a stored reply to replay).
   * True when it took over the claim of a request that died: the use case looks for that request's work.
   */
  begin?(tx: Queryable): Promise<boolean>;
  /** Wraps the last write transaction. */
  commit: Commit<T>;
  /**
   * The caller's record of the request (a route's), for a use case that writes it inside its own
   * statements: a new key's claim with the first write, the reply with the last. The use case falls back to
   * `begin` and `commit` whenever the short way does not apply.
   */
  record?: RequestRecord<T>;
}

/** See UnitOfWork.record. */
export interface RequestRecord<T> {
  /** A new Idempotency-Key's claim, if the request has a key. */
  claim: { orgId: string; key: string; requestHash: string; token: string; at: Date } | null;
  /** The first write made `claim`. */
  claimed(): void;
  /** The reply for the use case's value, and the claim it is stored under (null without a held claim). */
  reply(value: T): { key: { orgId: string; key: string; token: string } | null; response: StoredResponse };
  /** The last write stored that reply. */
  replied(): void;
}

export interface DbOptions {
  /** Server Postgres connection string; when absent, PGlite stores its data in `pgliteDir`. */
  databaseUrl?: string;
  /** Folder for PGlite's data; `memory://` keeps it in memory (tests). */
  pgliteDir?: string;
  /** Largest pool size for server Postgres (default 10). */
  poolSize?: number;
  /**
   * Runs PGlite in a worker thread that owns the database (see pglite-thread.ts), so its WASM does not
   * run on, and cap, the main event loop. Default false: in-process. The runtime opens through
   * open-store.ts, which asks for the thread. Tests keep in-process PGlite. Measured on a 2-core machine, open +
   * migrate of a memory db took a median ~2.0 s in-process and ~2.5 s threaded (plus 60-100 ms to close); the
   * suite opens some 30 of them. And under jest a threaded result's Dates and Uint8Arrays come from Node's realm,
   * not the test sandbox's, so `toBeInstanceOf(Date)` would fail on them.
   */
  pgliteThread?: boolean;
}

export async function openDb(options: DbOptions): Promise<Db> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolSize ?? 10);
  const dir = options.pgliteDir ?? 'memory://';
  return options.pgliteThread ? openPgliteThread(dir) : openPglite(dir);
}

async function openPostgres(url: string, max: number): Promise<Db> {
  const pool = new Pool({ connectionString: url, max, connectionTimeoutMillis: 5000 });
  pool.on('error', () => undefined); // an idle client dropped by the server; the next query reconnects
  const config = (sql: Sql, values?: unknown[]) => (typeof sql === 'string' ? { text: sql, values } : { ...sql, values });
  const query = async <T>(sql: Sql, params?: unknown[]) => {
    outsideTransaction();
    const result = await pool.query(config(sql, params));
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
          query: async <T>(sql: Sql, params?: unknown[]) => {
            const r = await client.query(config(sql, params));
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
    query: async <T>(sql: Sql, params?: unknown[]) => {
      outsideTransaction();
      return toResult<T>(await pg.query(textOf(sql), params));
    },
    // PGlite is one connection: its transaction() holds it exclusively, so concurrent callers queue.
    transaction: (fn) =>
      pg.transaction((tx) =>
        inTransaction.run(true, () => fn({ query: async <T>(sql: Sql, params?: unknown[]) => toResult<T>(await tx.query(textOf(sql), params)) })),
      ),
    close: () => pg.close(),
  };
}
