import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ACCUAUTH_SANDBOX } from '../../adapters/accuauth/simulator';
import { reconcileInvoice, type Reconciliation } from '../../src/finance/reconcile-invoice';
import { usageByOrg } from '../../src/finance/usage-by-org';
import { TEST_MASTER_KEY } from '../helpers/test-app';
import { SELFIE, startSimulatedGateway, type Simulated } from '../gateway/support';

const SCOPES = ['verifications:write', 'verifications:view', 'customers:write', 'usage:view', 'usage:manage'] as const;
type Entry = {
  id: string;
  upstreamRequestId: string | null;
  charged: string;
  unitPrice: number;
  createdAt: string;
  resolution: { resolvedBy: string } | null;
};

let gw: Simulated;
beforeAll(async () => {
  gw = await startSimulatedGateway();
});
afterAll(() => gw?.close());

async function verify(t: { key: string; customerId: string }, scenario: string): Promise<void> {
  const res = await gw.app.request('POST', '/v1/verifications', {
    key: t.key,
    body: {
      customerId: t.customerId,
      check: 'identity_selfie',
      provider: 'accuauth',
      input: { idNumber: ACCUAUTH_SANDBOX.results[scenario], faceImage: SELFIE },
    },
  });
  expect(res.status).toBe(200);
}

async function entries(key: string): Promise<Entry[]> {
  const res = await gw.app.request('GET', '/v1/usage/entries?limit=100', { key });
  return ((await res.json()) as { data: Entry[] }).data;
}

const csvOf = (lines: Array<[string, string, string]>) => ['date,order_no,amount', ...lines.map((l) => l.join(','))].join('\r\n') + '\r\n';

const reconcile = (key: string, csv: string) =>
  gw.app.request('POST', '/v1/usage/reconciliations', { key, body: { provider: 'accuauth', fileName: 'accuauth-invoice.csv', csv } });

describe('invoice reconciliation', () => {
  it('when an invoice with three planted differences is imported, then exactly those three are listed and the unknown row it bills is resolved', async () => {
    const t = await gw.tenant([...SCOPES]);
    const billedBefore = gw.sims.accuauth.billedRef(ACCUAUTH_SANDBOX.results['01']!).charged;
    for (let i = 0; i < 5; i++) await verify(t, '01'); // identity_match: charged
    await verify(t, '03'); // not found: free, and not billed by the vendor
    const booked = await entries(t.key);
    const charged = booked.filter((e) => e.charged === 'charged');
    expect(charged).toHaveLength(5);
    expect(booked.filter((e) => e.charged === 'free')).toHaveLength(1);
    const [unknown, dropped, repriced, ...rest] = charged as [Entry, Entry, Entry, ...Entry[]];
    // A call whose answer could not be classified but named its order_no: the ledger holds it as unknown.
    await gw.app.deps.db.query(`UPDATE ledger_entries SET charged = 'unknown' WHERE attempt_id = $1`, [unknown.id]);

    // The vendor's own books agree: it billed five calls of that NIK (its invoice names each by order_no).
    expect(gw.sims.accuauth.billedRef(ACCUAUTH_SANDBOX.results['01']!).charged - billedBefore).toBe(5);
    const day = charged[0]!.createdAt.slice(0, 10);
    const price = (e: Entry) => e.unitPrice.toFixed(2);
    const lines: Array<[string, string, string]> = [unknown, repriced, ...rest].map((e) => [day, e.upstreamRequestId!, price(e)]);
    lines[1] = [day, repriced.upstreamRequestId!, (repriced.unitPrice + 500).toFixed(2)]; // planted: billed at another price
    lines.push([day, 'ORD-NOT-OURS-1', '3500.00']); // planted: billed, never booked
    // planted: `dropped` is charged on the ledger and missing from the invoice

    const res = await reconcile(t.key, csvOf(lines));
    expect(res.status).toBe(201);
    const result = (await res.json()) as Reconciliation;
    expect(result.differences.map((d) => [d.kind, d.reference]).sort()).toEqual(
      [
        ['billed_not_on_ledger', 'ORD-NOT-OURS-1'],
        ['on_ledger_not_billed', dropped.upstreamRequestId],
        ['price_mismatch', repriced.upstreamRequestId],
      ].sort(),
    );
    expect(result.differences.find((d) => d.kind === 'price_mismatch')).toMatchObject({
      entryId: repriced.id,
      line: 3,
      billed: repriced.unitPrice + 500,
      expected: repriced.unitPrice,
    });
    expect(result.differences.find((d) => d.kind === 'on_ledger_not_billed')).toMatchObject({
      entryId: dropped.id,
      expected: dropped.unitPrice,
    });
    expect(result).toMatchObject({
      lines: 5,
      matched: 3,
      sandbox: true,
      orgId: t.orgId,
      period: { from: day, to: day },
      unknownNotBilled: 0,
    });
    expect(result.resolved).toEqual([{ entryId: unknown.id, line: 2, reference: unknown.upstreamRequestId }]);

    // The invoice is the evidence on the resolved row, and usage follows.
    const after = (await entries(t.key)).find((e) => e.id === unknown.id)!;
    expect(after).toMatchObject({ charged: 'charged', resolution: { resolvedBy: result.id } });

    // Imported again: nothing left to resolve, the same three differences.
    const again = (await (await reconcile(t.key, csvOf(lines))).json()) as Reconciliation;
    expect(again.resolved).toEqual([]);
    expect(again.differences).toEqual(result.differences);
  });

  it("when another org's rows or live rows exist, then a tenant's import sees only its own sandbox rows; the platform-wide run sees every org", async () => {
    const a = await gw.tenant([...SCOPES]);
    const b = await gw.tenant([...SCOPES]);
    await verify(a, '01');
    await verify(b, '01');
    const [ea] = await entries(a.key);
    const [eb] = await entries(b.key);
    const day = ea!.createdAt.slice(0, 10);
    const csv = csvOf([
      [day, ea!.upstreamRequestId!, ea!.unitPrice.toFixed(2)],
      [day, eb!.upstreamRequestId!, eb!.unitPrice.toFixed(2)],
    ]);
    const asA = (await (await reconcile(a.key, csv)).json()) as Reconciliation;
    // B's order is not A's to see: to A it is billed but not on its ledger.
    expect(asA.differences).toEqual([expect.objectContaining({ kind: 'billed_not_on_ledger', reference: eb!.upstreamRequestId })]);

    const platform = await reconcileInvoice(
      { provider: 'accuauth', sandbox: true, orgId: null, fileName: 'all.csv', csv, importedBy: 'test', from: day, to: day },
      new Date(),
      (work) => gw.app.deps.db.transaction(work),
    );
    expect(platform.differences.filter((d) => d.kind !== 'on_ledger_not_billed')).toEqual([]);
    expect(platform.matched).toBe(2);
    // Live rows are another ledger: the same invoice against them finds none of its orders.
    const live = await reconcileInvoice(
      { provider: 'accuauth', sandbox: false, orgId: null, fileName: 'all.csv', csv, importedBy: 'test' },
      new Date(),
      (work) => gw.app.deps.db.transaction(work),
    );
    expect(live.differences.map((d) => d.kind)).toEqual(['billed_not_on_ledger', 'billed_not_on_ledger']);

    // The operator's view of the same ledger: each org's calls and cost per vendor.
    const now = Date.now();
    const byOrg = await usageByOrg(gw.app.deps.db, new Date(now - 86_400_000), new Date(now + 86_400_000));
    for (const t of [a, b]) {
      expect(byOrg.filter((u) => u.orgId === t.orgId)).toEqual([
        expect.objectContaining({ provider: 'accuauth', sandbox: true, calls: 1, charged: 1, free: 0, unknown: 0, cost: ea!.unitPrice }),
      ]);
    }
  });

  it('when the file is not a readable invoice, then 400 names the line and nothing is recorded', async () => {
    const t = await gw.tenant([...SCOPES]);
    const count = async () => Number((await gw.app.deps.db.query<{ n: number }>('SELECT count(*) AS n FROM invoice_imports')).rows[0]!.n);
    const before = await count();
    for (const [csv, detail] of [
      ['date,order_no,amount\n2026-01-05,ORD-1,35OO\n', 'line 2: amount'],
      ['date,order_no,amount\n05/01/2026,ORD-1,3500\n', 'line 2: date'],
      ['when,order_no,amount\n2026-01-05,ORD-1,3500\n', 'line 1: no date column'],
      ['date,order_no,amount\n2026-01-05,"ORD-1,3500\n', 'not a CSV file'],
    ] as const) {
      const res = await reconcile(t.key, csv);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; param: string; message: string } };
      expect(body.error).toMatchObject({ code: 'invalid_request', param: 'csv' });
      expect(body.error.message).toContain(detail);
    }
    const viewer = await gw.tenant(['usage:view']);
    expect((await reconcile(viewer.key, csvOf([]))).status).toBe(401);
    expect(await count()).toBe(before);
  });
});

describe('npx verigate invoice import', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'verigate-invoice-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const verigate = (...args: string[]) =>
    promisify(execFile)(process.execPath, [path.join(__dirname, '..', '..', 'bin', 'verigate.js'), ...args], {
      env: { ...process.env, NODE_OPTIONS: '', VERIGATE_DATA_DIR: dataDir, VERIGATE_MASTER_KEY: TEST_MASTER_KEY },
    });

  it('when run on a file, then it prints the reconciliation; a bad file exits 2 naming the line; usage by-org prints JSON', async () => {
    const file = path.join(dataDir, 'accuauth-2026-01.csv');
    writeFileSync(file, 'date,order_no,amount,currency\n2026-01-05,ORD-9,3500,IDR\n');
    const { stdout } = await verigate('invoice', 'import', '--provider', 'accuauth', '--file', file);
    expect(JSON.parse(stdout)).toMatchObject({
      fileName: 'accuauth-2026-01.csv',
      orgId: null,
      sandbox: false,
      differences: [{ kind: 'billed_not_on_ledger', line: 2, reference: 'ORD-9', billed: 3500, currency: 'IDR' }],
    });
    writeFileSync(file, 'date,order_no,amount\n2026-01-05,ORD-9,-3500\n');
    await expect(verigate('invoice', 'import', '--provider', 'accuauth', '--file', file)).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('line 2: amount'),
    });
    await expect(verigate('invoice', 'import', '--provider', 'nobody', '--file', file)).rejects.toMatchObject({ code: 2 });
    expect(JSON.parse((await verigate('usage', 'by-org', '--from', '2026-01-01', '--to', '2026-01-31')).stdout)).toEqual([]);
    await expect(verigate('usage', 'by-org', '--from', '2026-13-01')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--from'),
    });
  }, 60_000);
});
