import { findCustomer, insertCustomer, listCustomers } from '../../src/customers/customers-repo';
import type { Db } from '../../src/store/db';
import { claimKey, completeKey, deleteExpiredKeys, releaseKey } from '../../src/store/idempotency-repo';
import { migrate } from '../../src/store/migrate';
import { KeyMaterial } from '../../src/tenancy/key-material';
import { authenticateKey, hmacKeyOf, issueKey, revokeKey } from '../../src/tenancy/keys-repo';
import { createOrg, findOrg } from '../../src/tenancy/orgs-repo';
import { testDatabases } from '../helpers/databases';
import { TEST_MASTER_KEY } from '../helpers/test-app';

const keys = new KeyMaterial(Buffer.from(TEST_MASTER_KEY, 'hex'));
const HOUR = 3_600_000;

describe.each(testDatabases().map((d) => [d.name, d] as const))('storage on %s', (_name, engine) => {
  let db: Db;
  beforeAll(async () => {
    db = await engine.open();
  });
  afterAll(() => db?.close());

  it('when migrations run again, then nothing is applied twice', async () => {
    expect(await migrate(db)).toEqual([]);
  });

  it('when an org is created with capabilities, then it reads back the same', async () => {
    const org = await createOrg(db, { name: 'Acme', capabilities: ['dukcapil'] });
    expect(await findOrg(db, org.id)).toEqual(org);
  });

  it('when a key is issued, then only its digest is stored and it authenticates; revoked, it does not', async () => {
    const org = await createOrg(db, { name: 'Keys' });
    const issued = await issueKey(db, keys, { orgId: org.id, name: 'k', mode: 'live', scopes: ['customers:view'] });
    const { rows } = await db.query<Record<string, unknown>>('SELECT * FROM api_keys WHERE id = $1', [issued.id]);
    expect(JSON.stringify(rows[0])).not.toContain(issued.key);
    expect(JSON.stringify(rows[0])).not.toContain(issued.hmacKey);
    expect((await authenticateKey(db, keys, issued.key))?.id).toBe(issued.id);
    expect(await hmacKeyOf(db, keys, org.id, issued.id)).toBe(issued.hmacKey);
    await revokeKey(db, org.id, issued.id, new Date());
    expect(await authenticateKey(db, keys, issued.key)).toBeNull();
  });

  it('when a transaction throws, then none of its writes remain', async () => {
    const org = await createOrg(db, { name: 'Tx' });
    await expect(
      db.transaction(async (tx) => {
        await insertCustomer(tx, org.id, 'rolled-back');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await listCustomers(db, org.id, 10)).toEqual([]);
  });

  it('when code inside a transaction queries through the pool instead of its handle, then it fails at once instead of hanging or escaping', async () => {
    await expect(db.transaction(() => db.query('SELECT 1'))).rejects.toThrow(/inside a transaction/);
    expect((await db.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('when customers are paged, then the cursor continues after the last one', async () => {
    const org = await createOrg(db, { name: 'Pages' });
    const created = [];
    for (const ref of ['a', 'b', 'c']) created.push(await insertCustomer(db, org.id, ref));
    const page = await listCustomers(db, org.id, 2, created[0]?.id);
    expect(page.map((c) => c.externalRef)).toEqual(['b', 'c']);
    expect(await findCustomer(db, 'org_other', created[0]?.id as string)).toBeNull();
  });

  it('when ten requests claim one idempotency key at once, then exactly one wins', async () => {
    const org = await createOrg(db, { name: 'Race' });
    const now = new Date();
    const input = { orgId: org.id, key: 'k', requestHash: 'h', now, expiredBefore: new Date(now.getTime() - 24 * HOUR), staleBefore: new Date(now.getTime() - 60_000) };
    const claims = await Promise.all(Array.from({ length: 10 }, () => claimKey(db, input)));
    const winners = claims.filter((c) => c.outcome === 'claimed');
    expect(winners).toHaveLength(1);
    expect(claims.filter((c) => c.outcome === 'in_use')).toHaveLength(9);
    const token = (winners[0] as { token: string }).token;
    expect(await completeKey(db, org.id, 'k', 'not-the-holder', { status: 500, headers: {}, body: '' })).toBe(false);
    expect(await completeKey(db, org.id, 'k', token, { status: 201, headers: { 'X-A': '1' }, body: '{"ok":true}' })).toBe(true);
    expect(await claimKey(db, input)).toEqual({ outcome: 'replay', response: { status: 201, headers: { 'X-A': '1' }, body: '{"ok":true}' } });
    expect(await claimKey(db, { ...input, requestHash: 'other' })).toEqual({ outcome: 'mismatch' });
  });

  it('when a claim was abandoned by a crashed process, then the same request may take it over after the lock timeout', async () => {
    const org = await createOrg(db, { name: 'Stale' });
    const t0 = new Date('2026-01-01T00:00:00Z');
    const at = (ms: number) => new Date(t0.getTime() + ms);
    const claim = (now: Date, hash = 'h') =>
      claimKey(db, { orgId: org.id, key: 'k', requestHash: hash, now, expiredBefore: at(-24 * HOUR), staleBefore: new Date(now.getTime() - 120_000) });
    expect((await claim(t0)).outcome).toBe('claimed');
    expect((await claim(at(60_000))).outcome).toBe('in_use');
    expect((await claim(at(180_000), 'different')).outcome).toBe('mismatch');
    const takeover = await claim(at(180_000));
    expect(takeover.outcome).toBe('claimed');
    // The slow first holder finishes late: it can neither store its answer nor drop the new claim.
    const holder = (await db.query<{ claim_token: string }>('SELECT claim_token FROM idempotency_keys WHERE org_id = $1', [org.id])).rows[0];
    expect(holder?.claim_token).toBe((takeover as { token: string }).token);
    expect(await completeKey(db, org.id, 'k', 'stale-token', { status: 201, headers: {}, body: '{}' })).toBe(false);
    await releaseKey(db, org.id, 'k', 'stale-token');
    expect((await claim(at(190_000))).outcome).toBe('in_use');
  });

  it('when the sweep runs, then only records older than the retention go', async () => {
    const org = await createOrg(db, { name: 'Sweep' });
    const now = new Date();
    const base = { orgId: org.id, requestHash: 'h', expiredBefore: new Date(0), staleBefore: new Date(0) };
    await claimKey(db, { ...base, key: 'old', now: new Date(now.getTime() - 25 * HOUR) });
    await claimKey(db, { ...base, key: 'new', now });
    await deleteExpiredKeys(db, new Date(now.getTime() - 24 * HOUR));
    const { rows } = await db.query<{ key: string }>('SELECT key FROM idempotency_keys WHERE org_id = $1', [org.id]);
    expect(rows.map((r) => r.key)).toEqual(['new']);
  });
});
