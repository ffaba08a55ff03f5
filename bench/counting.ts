/**
 * Round-trip counters around the database and Redis handles a bench app is built from. Nothing in src/
 * changes: the app gets a wrapped `Db` and a Redis client whose `sendCommand` counts, and the bench
 * reads the counters before and after a run.
 */
import type { Redis } from 'ioredis';
import type { Db, Queryable } from '../src/store/db';
import { textOf } from '../src/store/sql';

export interface DbCounts {
  /** Statements the driver sent: every query, plus BEGIN and COMMIT (or ROLLBACK) of each transaction. */
  roundTrips: number;
  /** `db.query` calls outside a transaction (each one its own implicit transaction). */
  queries: number;
  /** Of those, INSERT / UPDATE / DELETE / MERGE: each an autocommitted write. */
  autocommitWrites: number;
  transactions: number;
  /** Transactions that sent at least one INSERT / UPDATE / DELETE / MERGE. */
  writeTransactions: number;
  /** Statements sent inside transactions (BEGIN and COMMIT not included). */
  statementsInTransactions: number;
}

export interface RedisCounts {
  /** Writes to the socket: a plain command is one, a pipeline or MULTI ... EXEC is one in all. */
  roundTrips: number;
  /** Commands sent, each command of a pipeline or MULTI (MULTI and EXEC included) counted. */
  commands: number;
}

const WRITE_VERB = /^(insert|update|delete|merge)\b/i;
const WRITE_IN_CTE = /\b(insert\s+into|update\s+[\w."]+\s+set|delete\s+from|merge\s+into)\b/i;

/** True for a statement that writes rows (a data-modifying CTE included); SELECT ... FOR UPDATE does not. */
export function isWrite(sql: string): boolean {
  const text = sql.replace(/^(?:\s|--[^\n]*\n?)*/, '');
  return WRITE_VERB.test(text) || (/^with\b/i.test(text) && WRITE_IN_CTE.test(text));
}

const zeroDb = (): DbCounts => ({
  roundTrips: 0,
  queries: 0,
  autocommitWrites: 0,
  transactions: 0,
  writeTransactions: 0,
  statementsInTransactions: 0,
});

/** `db` with every statement counted; `counts()` returns a copy of the totals so far. */
export function countingDb(db: Db): { db: Db; counts: () => DbCounts } {
  const c = zeroDb();
  const counted: Db = {
    ...db,
    kind: db.kind,
    query(sql, params) {
      c.roundTrips++;
      c.queries++;
      if (isWrite(textOf(sql))) c.autocommitWrites++;
      return db.query(sql, params);
    },
    async transaction(fn) {
      c.transactions++;
      c.roundTrips += 2; // BEGIN, and COMMIT or ROLLBACK: each sent as a statement of its own by both drivers
      let wrote = false;
      try {
        return await db.transaction((tx) => {
          const countedTx: Queryable = {
            query(sql, params) {
              c.roundTrips++;
              c.statementsInTransactions++;
              if (isWrite(textOf(sql))) wrote = true;
              return tx.query(sql, params);
            },
          };
          return fn(countedTx);
        });
      } finally {
        if (wrote) c.writeTransactions++;
      }
    },
    close: () => db.close(),
  };
  return { db: counted, counts: () => ({ ...c }) };
}

/**
 * Counts what `redis` sends. Every command of an ioredis 6 client, pipelined or not, goes through the
 * instance's `sendCommand(command, stream?)`: a plain command without `stream` (one socket write each);
 * the commands of a pipeline or MULTI with the pipeline's own `stream` object, which collects them and
 * writes them to the socket once. So a command without `stream` is one round trip, and the first command
 * seen with a given `stream` is the one round trip of its pipeline. Scripts (`eval`, `evalsha`, a NOSCRIPT
 * retry) are commands like any other.
 */
export function countRedis(redis: Redis): () => RedisCounts {
  const c: RedisCounts = { roundTrips: 0, commands: 0 };
  const pipelines = new WeakSet<object>();
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = (command, stream) => {
    c.commands++;
    if (!stream) c.roundTrips++;
    else if (!pipelines.has(stream)) {
      pipelines.add(stream);
      c.roundTrips++;
    }
    return send(command, stream);
  };
  return () => ({ ...c });
}

/** `after - before`, field by field. */
export function delta<T extends object>(after: T, before: T): T {
  const out = { ...after } as Record<string, number>;
  for (const [k, v] of Object.entries(before)) out[k] = (out[k] ?? 0) - (v as number);
  return out as T;
}
