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

/** The configured database (server Postgres or the embedded PGlite), migrated to the latest schema. */
export async function openStore(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Promise<Db> {
  if (config.databaseUrl) {
    const db = await openDb({ databaseUrl: config.databaseUrl });
    await migrate(db);
    return db;
  }
  const dir = path.join(config.dataDir, 'pglite');
  const unlock = lockPglite(dir);
  try {
    const db = await openDb({ pgliteDir: dir });
    await migrate(db);
    return { ...db, close: () => db.close().finally(unlock) };
  } catch (err) {
    unlock();
    throw err;
  }
}
