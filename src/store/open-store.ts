import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import { openDb, type Db } from './db';
import { migrate } from './migrate';

/** Another live process holds the embedded database. */
export class StoreLockedError extends Error {
  override name = 'StoreLockedError';
}

/** PGlite's files belong to one process; a second one (say the CLI beside a running server) would corrupt them. */
function lockPglite(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, 'verigate.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      // `wx` creates the file only if it does not exist: of two processes starting together, one wins.
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return () => rmSync(lock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(lock, 'utf8'));
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new StoreLockedError(
          `the embedded database in ${dir} is in use by process ${pid} (a running verigate?). ` +
            'Stop it first, use the HTTP API, or set DATABASE_URL to a server Postgres.',
        );
      }
      rmSync(lock, { force: true }); // left by a process that is gone
    }
  }
  throw new StoreLockedError(`could not lock the embedded database in ${dir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface OpenStoreOptions {
  /**
   * Runs the embedded PGlite in a worker thread that owns it (default true): in-process, its WASM costs the
   * main thread ~0.3-0.45 ms per statement and blocks the event loop for a whole burst of statements; threaded,
   * the main thread pays ~0.05 ms per statement and ~0.1-0.2 ms per one-statement transaction for the messages
   * (figures: src/store/pglite-thread.ts). The price is ~0.5 s more at start (the thread loads and compiles
   * PGlite itself) and a slower serial round trip, which a server pays once and a one-shot CLI command could
   * skip by passing false.
   */
  pgliteThread?: boolean;
}

/** The configured database (server Postgres or the embedded PGlite), migrated to the latest schema. */
export async function openStore(config: Pick<Config, 'databaseUrl' | 'dataDir'>, options: OpenStoreOptions = {}): Promise<Db> {
  if (config.databaseUrl) {
    const db = await openDb({ databaseUrl: config.databaseUrl });
    await migrate(db);
    return db;
  }
  const dir = path.join(config.dataDir, 'pglite');
  const unlock = lockPglite(dir);
  try {
    const db = await openDb({ pgliteDir: dir, pgliteThread: options.pgliteThread ?? true });
    try {
      await migrate(db);
    } catch (err) {
      await db.close().catch(() => undefined); // and its thread with it
      throw err;
    }
    return { ...db, close: () => db.close().finally(unlock) };
  } catch (err) {
    unlock();
    throw err;
  }
}
