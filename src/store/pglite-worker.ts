/**
 * The worker-thread side of `pglite-thread.ts`: this thread owns the PGlite instance (its WASM runs here, off
 * the main thread's event loop) and answers the messages the main thread posts. PGlite is one connection, so
 * its own mutexes serialise the work exactly as in-process: a transaction holds the connection from BEGIN to
 * COMMIT/ROLLBACK and a plain query posted meanwhile waits for it.
 */
import { mkdirSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, type Transaction } from '@electric-sql/pglite';

/** Main thread to worker. `tx` is the id of the `begin` that opened the transaction (`begin` has no reply). */
export type Request =
  | { id: number; op: 'query'; sql: string; params?: unknown[] }
  | { id: number; op: 'begin' }
  | { id: number; op: 'txQuery'; tx: number; sql: string; params?: unknown[] }
  | { id: number; op: 'end'; tx: number; commit: boolean }
  | { id: number; op: 'close' };

/** Postgres' error fields (code, constraint, …) as plain data: structured clone keeps only an Error's message. */
export interface SerializedError {
  message: string;
  name?: string;
  fields: Record<string, unknown>;
}

/** Worker to main thread; id 0 answers the start-up (ready, or why PGlite could not open). */
export type Reply =
  { id: number; rows: unknown[]; affectedRows: number } | { id: number; ok: true } | { id: number; error: SerializedError };

export interface WorkerInput {
  dir: string;
}

const ERROR_FIELDS = [
  'code',
  'severity',
  'detail',
  'hint',
  'position',
  'where',
  'schema',
  'table',
  'column',
  'dataType',
  'constraint',
  'routine',
];

function serializeError(err: unknown): SerializedError {
  if (!(err instanceof Error)) return { message: String(err), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const key of ERROR_FIELDS) {
    const value = (err as unknown as Record<string, unknown>)[key];
    if (value !== undefined && value !== null && typeof value !== 'object' && typeof value !== 'function') fields[key] = value;
  }
  return { message: err.message, name: err.name, fields };
}

/** Ends a transaction with ROLLBACK: PGlite's transaction() rolls back when its callback throws. */
const ROLLBACK = Symbol('rollback');

interface OpenTransaction {
  /** The open transaction, once BEGIN has run (it waits for the connection); rejects when BEGIN fails. */
  ready: Promise<Transaction>;
  /** Lets the transaction's callback return (commit) or throw ROLLBACK. */
  finish: (commit: boolean) => void;
  /** Settles once COMMIT or ROLLBACK has run. */
  done: Promise<void>;
}

/** Opens a transaction on PGlite's connection and holds it until `finish`; `tx.query`s wait for `ready`. */
function begin(pg: PGlite): OpenTransaction {
  let finish!: (commit: boolean) => void;
  const decided = new Promise<boolean>((resolve) => (finish = resolve));
  let opened!: (tx: Transaction) => void;
  let failed!: (err: unknown) => void;
  const ready = new Promise<Transaction>((resolve, reject) => ((opened = resolve), (failed = reject)));
  let began = false;
  const done = pg
    .transaction(async (tx) => {
      began = true;
      opened(tx);
      if (!(await decided)) throw ROLLBACK;
    })
    .catch((err) => {
      if (err === ROLLBACK) return;
      if (!began) failed(err); // BEGIN itself failed: the transaction's queries fail with its error
      throw err;
    });
  // Handled when `end` arrives; until then a failed BEGIN must not count as an unhandled rejection.
  ready.catch(() => undefined);
  done.catch(() => undefined);
  return { ready, finish, done };
}

async function main(port: NonNullable<typeof parentPort>, { dir }: WorkerInput): Promise<void> {
  const post = (reply: Reply) => {
    try {
      port.postMessage(reply);
    } catch (err) {
      // A value structured clone cannot copy: that request fails, the thread carries on.
      port.postMessage({ id: reply.id, error: serializeError(err) } satisfies Reply);
    }
  };
  let pg: PGlite;
  try {
    if (!dir.startsWith('memory://')) mkdirSync(dir, { recursive: true });
    pg = await PGlite.create(dir);
  } catch (err) {
    post({ id: 0, error: serializeError(err) });
    return;
  }
  const open = new Map<number, OpenTransaction>();
  const answer = (id: number, work: Promise<{ rows: unknown[]; affectedRows?: number }>) =>
    work.then(
      (r) => post({ id, rows: r.rows, affectedRows: r.affectedRows ?? 0 }),
      (err) => post({ id, error: serializeError(err) }),
    );

  port.on('message', (req: Request) => {
    switch (req.op) {
      case 'query':
        void answer(req.id, pg.query(req.sql, req.params));
        return;
      case 'begin':
        // No reply: the main thread posts the transaction's queries at once, and they wait here for BEGIN.
        open.set(req.id, begin(pg));
        return;
      case 'txQuery': {
        const entry = open.get(req.tx);
        if (!entry) post({ id: req.id, error: serializeError(new Error('Transaction is closed')) });
        else
          entry.ready.then(
            (tx) => answer(req.id, tx.query(req.sql, req.params)),
            (err) => post({ id: req.id, error: serializeError(err) }),
          );
        return;
      }
      case 'end': {
        const entry = open.get(req.tx);
        if (!entry) {
          post({ id: req.id, error: serializeError(new Error('Transaction is closed')) });
          return;
        }
        open.delete(req.tx);
        entry.finish(req.commit);
        entry.done.then(
          () => post({ id: req.id, ok: true }),
          (err) => post({ id: req.id, error: serializeError(err) }),
        );
        return;
      }
      case 'close':
        pg.close().then(
          () => post({ id: req.id, ok: true }),
          (err) => post({ id: req.id, error: serializeError(err) }),
        );
        return;
    }
  });
  post({ id: 0, ok: true });
}

if (parentPort) void main(parentPort, workerData as WorkerInput);
