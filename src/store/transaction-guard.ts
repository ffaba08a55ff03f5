import { AsyncLocalStorage } from 'node:async_hooks';

// Marks code running inside a transaction. There, the pool-level query would deadlock on PGlite (one
// connection, held by the transaction) and silently escape the transaction on server Postgres.
export const inTransaction = new AsyncLocalStorage<true>();

export function outsideTransaction(): void {
  if (inTransaction.getStore()) throw new Error('db.query inside a transaction: use the transaction handle it was given');
}

/**
 * Runs `fn` as if no transaction were open: for work that belongs to the request, not to the transaction it
 * happens to be started from (a heartbeat's timer set up inside one), and that uses the pool on its own.
 */
export const detached = <T>(fn: () => T): T => inTransaction.exit(fn);
