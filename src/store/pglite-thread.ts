/**
 * PGlite in a worker thread: the thread owns the database, the main thread only posts messages.
 *
 * Result (bench/pglite-thread.ts, disk-backed PGlite, Node 20, a 2-core machine under load 6-8 from
 * other test runs, so ranges over runs): in-process, the main thread spends 320-470 µs of CPU per one-row INSERT
 * transaction and 250-420 µs per SELECT by key, and a burst of 200 statements blocks the event loop for all of
 * it (57-90 ms; a 1 ms timer ran 3-5 times). Threaded, the main thread spends 80-115 µs per such transaction
 * and 30-50 µs per SELECT (the messages and the cloning of rows), and during the same burst the event-loop delay
 * peaks at 5-10 ms (a 1 ms timer ran 74-90 times). Throughput holds for SELECTs (2,060-2,300/s serial vs
 * 1,350-2,440/s) and for concurrent transactions (1,230-1,710/s vs 1,190-1,790/s); serial transactions pay the
 * round trips (~1,050/s vs 1,170-1,950/s), and the process as a whole spends more CPU (INSERT transaction
 * 740-860 µs vs 450-630 µs: thread wake-ups, off the main thread). Opening costs ~0.5 s more (the thread loads
 * and compiles PGlite itself) and closing 50-300 ms more, so the runtime uses the thread (open-store.ts) and
 * tests keep in-process PGlite (db.ts `pgliteThread`).
 *
 * The `Db` contract is the in-process one (`openPglite` in db.ts): `rowCount = max(affectedRows, rows.length)`;
 * `db.query` inside a transaction throws; a transaction is BEGIN in the worker, every `tx.query` of `fn` on it,
 * COMMIT when `fn` resolves and ROLLBACK when it throws; a plain query posted while a transaction is open waits
 * for it (PGlite's single connection, serialised by its own mutexes in the worker). Values cross by structured
 * clone, so Dates, Uint8Array (bytea), bigint, jsonb objects and numeric strings arrive as PGlite made them;
 * a Postgres error keeps its `code`, `constraint`, `detail`, … and message. Should the thread die, every
 * pending and later call rejects with the reason; nothing waits forever.
 */
import path from 'node:path';
import { types } from 'node:util';
import { Worker } from 'node:worker_threads';
import type { Db, QueryResult, Queryable } from './db';
import type { Reply, Request, SerializedError, WorkerInput } from './pglite-worker';
import { inTransaction, outsideTransaction } from './transaction-guard';
import { textOf, type Sql } from './sql';

type RequestBody = Request extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

interface Pending {
  resolve: (reply: Reply) => void;
  reject: (err: Error) => void;
}

/** A Db whose PGlite runs in a worker thread; also exposes the thread (tests terminate it to simulate a crash). */
export interface ThreadedPglite extends Db {
  readonly worker: Worker;
}

/** Rebuilds a Postgres error on this side, with its fields, created here so its stack shows the caller. */
function toError(e: SerializedError): Error {
  const err = new Error(e.message);
  if (e.name && e.name !== 'Error') Object.defineProperty(err, 'name', { value: e.name, configurable: true, writable: true });
  return Object.assign(err, e.fields);
}

class RemoteError extends Error {
  constructor(readonly serialized: SerializedError) {
    super(serialized.message);
  }
}

/** A byte view into a larger buffer (a pooled Buffer, a Float32Array's bytes) would clone the whole buffer. */
function compact(params: unknown[] | undefined): unknown[] | undefined {
  if (!params) return params;
  let copy: unknown[] | undefined;
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    if (types.isUint8Array(p) && p.byteLength !== p.buffer.byteLength) {
      copy ??= params.slice();
      copy[i] = new Uint8Array(p);
    }
  }
  return copy ?? params;
}

export async function openPgliteThread(dir: string): Promise<ThreadedPglite> {
  const file = path.join(__dirname, `pglite-worker${path.extname(__filename)}`);
  const workerData: WorkerInput = { dir };
  // As in src/engine/pool.ts: under tsx (the run command) and jest the sources are TypeScript, and Node 20
  // does not apply an `--import` loader to a worker's entry file, so a TypeScript entry registers tsx first.
  const worker = file.endsWith('.ts')
    ? new Worker(`require('tsx/cjs/api').register(); require(${JSON.stringify(file)});`, { eval: true, execArgv: [], workerData })
    : new Worker(file, { execArgv: [], workerData });

  const pending = new Map<number, Pending>();
  let nextId = 1;
  /** Why every call fails from now on: the thread is gone (died, or closed). */
  let gone: Error | undefined;
  /** Set by close(): new queries and transactions fail; a transaction already open may still finish. */
  let closed: Error | undefined;
  let closing: Promise<void> | undefined;

  // Keep the process alive only while an answer is awaited, as in-process work would; idle, the thread
  // does not hold the process open (a script that forgets close() still exits).
  const ref = () => {
    if (pending.size === 1) worker.ref();
  };
  const unref = () => {
    if (pending.size === 0) worker.unref();
  };

  const failAll = (err: Error) => {
    gone ??= err;
    const waiting = [...pending.values()];
    pending.clear();
    for (const p of waiting) p.reject(gone);
  };

  let started!: Pending;
  const ready = new Promise<Reply>((resolve, reject) => (started = { resolve, reject }));
  pending.set(0, started);

  worker.on('message', (reply: Reply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    unref();
    if ('error' in reply) p.reject(new RemoteError(reply.error));
    else p.resolve(reply);
  });
  worker.on('error', (err) => failAll(new Error(`the PGlite worker thread failed: ${err.message}`, { cause: err })));
  worker.on('exit', (code) => failAll(new Error(`the PGlite worker thread exited (code ${code})`)));

  /** Posts a request; its id, or throws why it cannot be sent (closed, the thread gone, a value clone cannot copy). */
  const post = (body: RequestBody, id = nextId++): number => {
    if (gone) throw gone;
    if (closed && (body.op === 'query' || body.op === 'begin')) throw closed;
    worker.postMessage({ ...body, id } as Request);
    return id;
  };

  /** Posts a request and awaits its reply. */
  const call = (body: RequestBody): Promise<Reply> => {
    const id = nextId++;
    const promise = new Promise<Reply>((resolve, reject) => pending.set(id, { resolve, reject }));
    try {
      post(body, id);
    } catch (err) {
      pending.delete(id);
      unref();
      return Promise.reject(err);
    }
    ref();
    return promise;
  };

  /** Awaits a reply and rethrows a remote error as a local one, so its stack shows the awaiting caller. */
  const settle = async (promise: Promise<Reply>): Promise<Reply> => {
    try {
      return await promise;
    } catch (err) {
      throw err instanceof RemoteError ? toError(err.serialized) : err;
    }
  };

  const toResult = <T>(reply: Reply): QueryResult<T> => {
    const r = reply as { rows: T[]; affectedRows: number };
    return { rows: r.rows, rowCount: Math.max(r.affectedRows, r.rows.length) };
  };

  try {
    await settle(ready);
  } catch (err) {
    await worker.terminate();
    throw err;
  }

  const query = async <T>(sql: Sql, params?: unknown[]): Promise<QueryResult<T>> => {
    outsideTransaction();
    return toResult<T>(await settle(call({ op: 'query', sql: textOf(sql), params: compact(params) })));
  };

  return {
    kind: 'pglite',
    worker,
    query,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      // BEGIN is posted without waiting for it: fn's queries queue behind it in the worker, which saves a
      // round trip per transaction (and the connection is not held idle for it).
      const tx = post({ op: 'begin' });
      let ended = false;
      const handle: Queryable = {
        query: async <R>(sql: Sql, params?: unknown[]) => {
          if (ended) throw new Error('Transaction is closed');
          return toResult<R>(await settle(call({ op: 'txQuery', tx, sql: textOf(sql), params: compact(params) })));
        },
      };
      let result: T;
      try {
        result = await inTransaction.run(true, () => fn(handle));
      } catch (err) {
        ended = true;
        // Rolled back; the caller learns why it failed, not a rollback error after it (a dead thread rolled back too).
        await settle(call({ op: 'end', tx, commit: false })).catch(() => undefined);
        throw err;
      }
      ended = true;
      await settle(call({ op: 'end', tx, commit: true }));
      return result;
    },
    close() {
      closing ??= (async () => {
        if (gone) return; // the thread died: nothing left to close
        // PGlite's close() waits for an open transaction and queued queries, then shuts Postgres down.
        const reply = call({ op: 'close' });
        closed = new Error('the database is closed');
        try {
          await settle(reply);
        } finally {
          gone ??= closed;
          await worker.terminate();
        }
      })();
      return closing;
    },
  };
}
