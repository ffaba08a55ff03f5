import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify, types } from 'node:util';
import { descriptorFromBytes, descriptorToBytes } from '../../src/engine/face-analysis/similarity';
import { insertCustomer } from '../../src/customers/customers-repo';
import { findEnrollment, insertEnrollment } from '../../src/faces/enrollments-repo';
import { openDb, type Db } from '../../src/store/db';
import { migrate } from '../../src/store/migrate';
import { createOrg, findOrg } from '../../src/tenancy/orgs-repo';
import { openPgliteThread, type ThreadedPglite } from '../../src/store/pglite-thread';

const SCHEMA = [
  'CREATE TABLE items (id int PRIMARY KEY, name text UNIQUE, n int NOT NULL DEFAULT 0)',
  'CREATE TABLE counter (id int PRIMARY KEY, value int NOT NULL)',
  'INSERT INTO counter VALUES (1, 0)',
];

async function open(thread: boolean): Promise<Db> {
  const db = await openDb({ pgliteDir: 'memory://', pgliteThread: thread });
  for (const sql of SCHEMA) await db.query(sql);
  return db;
}

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('PGlite in a worker thread', () => {
  let db: Db;
  let inProcess: Db;
  beforeAll(async () => {
    [db, inProcess] = await Promise.all([open(true), open(false)]);
  });
  afterAll(async () => {
    await Promise.all([db?.close(), inProcess?.close()]);
  });
  beforeEach(async () => {
    await db.query('DELETE FROM items');
    await db.query('UPDATE counter SET value = 0');
  });

  it('when values of every type the repositories use cross the thread, then they arrive as in-process PGlite returns them', async () => {
    const descriptor = new Float32Array(128).map((_, i) => i / 7 - 3);
    // A view into a larger buffer, as descriptorToBytes makes from face-api's output.
    const padded = new Float32Array(300);
    padded.set(descriptor, 50);
    const view = descriptorToBytes(padded.subarray(50, 178));
    const sql = `SELECT 1::int4 AS i4, 3::int2 AS i2, 42::int8 AS i8, 9007199254740993::int8 AS huge, 1.50::numeric AS num,
      1.25::float8 AS f8, true AS b, NULL::text AS nothing, 'é ✓'::text AS t, '\\x00ff10'::bytea AS raw,
      '{"a":[1,{"b":null}],"c":"d"}'::jsonb AS doc, '2024-02-29'::date AS day, '2024-02-29T12:34:56.789Z'::timestamptz AS at,
      ARRAY['x','y']::text[] AS tags, ARRAY[1,2]::int[] AS ints, '00000000-0000-0000-0000-000000000001'::uuid AS id,
      $1::bytea AS buf, $2::bytea AS face, $3::jsonb AS param_doc, $4::timestamptz AS param_at, $5::text[] AS param_tags,
      $6::int8 AS param_i8, $7::numeric AS param_num`;
    const params = [
      Buffer.from([1, 2, 3]),
      view,
      { k: [1, 'two', null], at: new Date(0) },
      new Date('2030-01-01T00:00:00Z'),
      ['p', 'q'],
      7,
      '12.345',
    ];
    const threaded = await db.query<Record<string, unknown>>(sql, params);
    const local = await inProcess.query<Record<string, unknown>>(sql, params);
    expect(threaded).toEqual(local);
    const row = threaded.rows[0] as Record<string, unknown>;
    expect(row).toMatchObject({ i8: 42, huge: 9007199254740993n, num: '1.50', param_num: '12.345', param_i8: 7, nothing: null });
    // Structured clone builds them in Node's realm, not jest's sandbox: check the kind, not `instanceof`.
    expect(types.isDate(row.at) && types.isDate(row.day)).toBe(true);
    expect(types.isUint8Array(row.raw) && types.isUint8Array(row.face)).toBe(true);
    expect(Array.from(row.buf as Uint8Array)).toEqual([1, 2, 3]);
    expect(descriptorFromBytes(row.face as Uint8Array)).toEqual(descriptor);
    expect(row.param_doc).toEqual({ k: [1, 'two', null], at: '1970-01-01T00:00:00.000Z' });
  });

  it('when a parameter PGlite rejects crosses (a Float32Array for bytea), then it fails as in-process does', async () => {
    const bad = [new Float32Array([1])];
    const local = await inProcess.query('SELECT $1::bytea AS b', bad).catch((e: Error) => e);
    await expect(db.query('SELECT $1::bytea AS b', bad)).rejects.toThrow((local as Error).message);
  });

  it('when a parameter cannot be copied to the thread (a function), then that call rejects and the next one works', async () => {
    await expect(db.query('SELECT $1::text AS t', [() => 1])).rejects.toThrow(/could not be cloned/);
    expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('when rows are written, then rowCount is the affected rows, or the rows returned when more', async () => {
    expect((await db.query('INSERT INTO items (id, name) VALUES (1, $1), (2, $2)', ['a', 'b'])).rowCount).toBe(2);
    expect((await db.query('UPDATE items SET n = n + 1')).rowCount).toBe(2);
    expect((await db.query('SELECT * FROM items')).rowCount).toBe(2);
    expect((await db.query('DELETE FROM items WHERE id = 99')).rowCount).toBe(0);
  });

  it('when a transaction resolves, then its writes are committed and its value returned', async () => {
    const value = await db.transaction(async (tx) => {
      await tx.query('INSERT INTO items (id, name) VALUES (1, $1)', ['kept']);
      const seen = await tx.query<{ name: string }>('SELECT name FROM items WHERE id = 1');
      return seen.rows[0]?.name;
    });
    expect(value).toBe('kept');
    expect((await db.query('SELECT name FROM items')).rows).toEqual([{ name: 'kept' }]);
  });

  it('when a transaction throws, then its writes are rolled back and its own error is thrown', async () => {
    const boom = new Error('boom');
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO items (id, name) VALUES (1, $1)', ['gone']);
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect((await db.query('SELECT * FROM items')).rows).toEqual([]);
  });

  it("when a unique constraint is violated, then the error carries Postgres' code, constraint and message", async () => {
    await db.query("INSERT INTO items (id, name) VALUES (1, 'dup')");
    const local = await inProcess.query("INSERT INTO items (id, name) VALUES (1, 'dup'), (1, 'dup')").catch((e: Error) => e);
    const err = (await db.query("INSERT INTO items (id, name) VALUES (2, 'dup')").catch((e: unknown) => e)) as Record<string, unknown>;
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({
      code: '23505',
      constraint: 'items_name_key',
      message: expect.stringContaining('duplicate key'),
      severity: 'ERROR',
    });
    expect(err.name).toBe((local as Error).name);
    // Inside a transaction too, and the statement's failure aborts it as it would in-process.
    await expect(db.transaction((tx) => tx.query("INSERT INTO items (id, name) VALUES (3, 'dup')"))).rejects.toMatchObject({
      code: '23505',
    });
  });

  it('when a transaction catches a failed statement and resolves, then COMMIT fails as it does in-process', async () => {
    const run = (target: Db) =>
      target
        .transaction(async (tx) => {
          await tx.query('SELECT 1/0').catch(() => undefined);
        })
        .then(
          () => 'committed',
          (e: Error) => e.message,
        );
    expect(await run(db)).toBe(await run(inProcess));
  });

  it('when transactions and plain queries run concurrently, then they serialise without deadlock or lost updates', async () => {
    const increments = Array.from({ length: 8 }, () =>
      db.transaction(async (tx) => {
        const { rows } = await tx.query<{ value: number }>('SELECT value FROM counter WHERE id = 1');
        await sleep(5); // the main thread yields while the transaction holds the connection
        await tx.query('UPDATE counter SET value = $1 WHERE id = 1', [(rows[0]?.value ?? 0) + 1]);
      }),
    );
    const reads = Array.from({ length: 8 }, () => db.query<{ value: number }>('SELECT value FROM counter WHERE id = 1'));
    await Promise.all([...increments, ...reads]);
    expect((await db.query('SELECT value FROM counter WHERE id = 1')).rows).toEqual([{ value: 8 }]);
  });

  it('when a plain query is issued while a transaction is open, then it waits for the commit and sees its writes', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let opened!: () => void;
    const isOpen = new Promise<void>((resolve) => (opened = resolve));
    const tx = db.transaction(async (t) => {
      await t.query("INSERT INTO items (id, name) VALUES (1, 'late')");
      opened();
      await gate;
    });
    await isOpen;
    let answered = false;
    const read = db.query('SELECT name FROM items').then((r) => ((answered = true), r.rows));
    await sleep(50);
    expect(answered).toBe(false);
    release();
    await tx;
    expect(await read).toEqual([{ name: 'late' }]);
  });

  it('when code inside a transaction queries through the db instead of its handle, then it throws the guard error at once', async () => {
    await expect(db.transaction(() => db.query('SELECT 1'))).rejects.toThrow(/db\.query inside a transaction/);
    expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it("when a transaction's handle is used after it ended, then it throws instead of running outside it", async () => {
    let leaked!: { query: Db['query'] };
    await db.transaction(async (tx) => {
      leaked = tx;
    });
    await expect(leaked.query('SELECT 1')).rejects.toThrow(/Transaction is closed/);
  });
});

describe('the repositories on a migrated threaded PGlite', () => {
  it('when an org, a customer and a face enrollment are written, then they read back as written (descriptor bytes included)', async () => {
    const db = await openPgliteThread('memory://');
    try {
      expect((await migrate(db)).length).toBeGreaterThan(0);
      expect(await migrate(db)).toEqual([]);
      const org = await createOrg(db, { name: 'Threaded', capabilities: ['dukcapil'] });
      expect(await findOrg(db, org.id)).toEqual(org);
      const customer = await db.transaction((tx) => insertCustomer(tx, org.id, 'ref-1'));
      expect(customer).not.toBeNull();
      expect(await insertCustomer(db, org.id, 'ref-1')).toBeNull(); // ON CONFLICT DO NOTHING: no row back
      const descriptor = new Float32Array(128).map((_, i) => Math.sin(i));
      const now = new Date('2030-01-01T00:00:00Z');
      const quality = { score: 0.9, sharpness: 1, glare: 1, size: 200, faces: 1, issues: [] };
      const { enrollment } = await insertEnrollment(db, {
        orgId: org.id,
        customerId: customer!.id,
        source: 'upload',
        descriptor,
        quality,
        retainUntil: new Date('2031-01-01T00:00:00Z'),
        createdAt: now,
      });
      const found = await findEnrollment(db, org.id, enrollment.id, now);
      expect(found).toEqual(enrollment);
      expect(Array.from(found!.descriptor)).toEqual(Array.from(descriptor));
      expect(found!.quality).toEqual(quality);
    } finally {
      await db.close();
    }
  });
});

describe('PGlite worker thread lifecycle', () => {
  it('when the db is closed, then later queries and transactions reject and close() again resolves', async () => {
    const db = await openPgliteThread('memory://');
    await db.query('SELECT 1');
    await db.close();
    await expect(db.query('SELECT 1')).rejects.toThrow(/database is closed/);
    await expect(db.transaction(async () => 1)).rejects.toThrow(/database is closed/);
    await expect(db.close()).resolves.toBeUndefined();
  });

  it('when close() is called while a transaction is open, then the transaction still commits and close waits for it', async () => {
    const db = await openPgliteThread('memory://');
    await db.query('CREATE TABLE t (v int)');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let opened!: () => void;
    const isOpen = new Promise<void>((resolve) => (opened = resolve));
    const tx = db.transaction(async (t) => {
      opened();
      await gate;
      await t.query('INSERT INTO t VALUES (1)');
      return 'done';
    });
    await isOpen;
    const closed = db.close();
    await expect(db.query('SELECT 1')).rejects.toThrow(/database is closed/);
    release();
    await expect(tx).resolves.toBe('done');
    await closed;
  });

  it('when the worker thread dies, then pending calls, the open transaction and later calls reject with the reason', async () => {
    const db: ThreadedPglite = await openPgliteThread('memory://');
    let opened!: () => void;
    const isOpen = new Promise<void>((resolve) => (opened = resolve));
    const tx = db.transaction(async (t) => {
      opened();
      await sleep(100);
      await t.query('SELECT 1');
    });
    await isOpen;
    const waiting = db.query('SELECT 1'); // queued behind the open transaction, in the worker
    await db.worker.terminate();
    await expect(waiting).rejects.toThrow(/PGlite worker thread exited/);
    await expect(tx).rejects.toThrow(/PGlite worker thread exited/);
    await expect(db.query('SELECT 1')).rejects.toThrow(/PGlite worker thread exited/);
    await expect(db.transaction(async () => 1)).rejects.toThrow(/PGlite worker thread exited/);
    await expect(db.close()).resolves.toBeUndefined();
  });

  it('when a script awaits a query and never closes, then the thread keeps it alive for the answer and not after', async () => {
    const entry = path.join(__dirname, '..', '..', 'src', 'store', 'pglite-thread.ts');
    const script = `require(${JSON.stringify(entry)}).openPgliteThread('memory://')
      .then((db) => db.query('SELECT 41 + 1 AS n')).then((r) => console.log(r.rows[0].n));`;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '-e', script], {
      env: { ...process.env, NODE_OPTIONS: '' },
      timeout: 60_000,
    });
    expect(stdout.trim()).toBe('42');
  }, 60_000);

  it('when PGlite cannot open its folder, then opening rejects with the reason', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'pglite-thread-')), 'a-file');
    writeFileSync(file, '');
    await expect(openPgliteThread(path.join(file, 'pglite'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });
});
