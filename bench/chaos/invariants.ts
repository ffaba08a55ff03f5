/**
 * The invariant table, from three books that must agree: Postgres (verifications, ledger_entries), the
 * AccuAuth simulator's own per-NIK counters (GET /__sim/billed) and what the clients saw.
 */
import { Client } from 'pg';
import type { ClientResult, Scenario } from './load';
import type { Timeline } from './timeline';

const PROVIDER = 'accuauth';
/** After Redis is back, the API's client reconnects with a backoff: 5xx this soon after an outage count under it. */
const REDIS_RECONNECT_MS = 5000;

interface VendorBook {
  refs: Record<string, { calls: number; charged: number }>;
  untracked: { calls: number; charged: number };
}

interface LedgerCounts {
  charged: number;
  unknown: number;
  free: number;
}

export interface InvariantRow {
  name: string;
  measured: string;
  /** Undefined for rows that only inform. */
  ok?: boolean;
}

export interface Report {
  invariants: InvariantRow[];
  totals: [string, string][];
  outcomes: { label: string; byScenario: Partial<Record<Scenario, number>>; total: number }[];
  fiveXX: {
    code: string;
    total: number;
    redis: number;
    vendorFault: number;
    other: number;
    replayedRedisUp: number;
    replayedRedisDown: number;
  }[];
  broken: string[];
  /** Idempotency-Keys of the client requests behind each broken invariant, by its short name. */
  offenders: Record<string, string[]>;
}

export interface StoreBooks {
  verifications: { id: string; idempotency_key: string | null; status: string }[];
  ledger: { verification_id: string; provider: string; charged: keyof LedgerCounts; n: number }[];
  claims: { state: string; response_status: number | null; n: number }[];
}

/** Reads the run's rows from the scoped database. */
export async function readStore(url: string, orgId: string): Promise<StoreBooks> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    const verifications = await db.query('SELECT id, idempotency_key, status FROM verifications WHERE org_id = $1', [orgId]);
    const ledger = await db.query(
      `SELECT verification_id, provider, charged, count(*)::int AS n FROM ledger_entries WHERE org_id = $1 GROUP BY 1, 2, 3`,
      [orgId],
    );
    const claims = await db.query(
      `SELECT state, response_status, count(*)::int AS n FROM idempotency_keys WHERE org_id = $1 GROUP BY 1, 2 ORDER BY 1, 2`,
      [orgId],
    );
    return { verifications: verifications.rows, ledger: ledger.rows, claims: claims.rows };
  } finally {
    await db.end();
  }
}

export async function readVendorBook(vendorUrl: string): Promise<VendorBook> {
  const res = await fetch(`${vendorUrl}/__sim/billed`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET /__sim/billed: ${res.status}`);
  return (await res.json()) as VendorBook;
}

export interface ProcessStats {
  name: string;
  unexpectedExits: number;
  startFailures: number;
}

export function computeReport(
  results: ClientResult[],
  store: StoreBooks,
  vendor: VendorBook,
  timeline: Timeline,
  processes: ProcessStats[],
): Report {
  // Ledger rows per verification row, and verification rows per Idempotency-Key (one key per client request).
  const ledgerByVerification = new Map<string, { all: LedgerCounts; vendor: LedgerCounts }>();
  for (const row of store.ledger) {
    const entry = ledgerByVerification.get(row.verification_id) ?? { all: zero(), vendor: zero() };
    entry.all[row.charged] += row.n;
    if (row.provider === PROVIDER) entry.vendor[row.charged] += row.n;
    ledgerByVerification.set(row.verification_id, entry);
  }
  const rowsByKey = new Map<string, string[]>();
  for (const v of store.verifications) {
    if (!v.idempotency_key) continue;
    rowsByKey.set(v.idempotency_key, [...(rowsByKey.get(v.idempotency_key) ?? []), v.id]);
  }

  let ledgerDoubleRows = 0;
  for (const [, l] of ledgerByVerification) if (l.all.charged > 1) ledgerDoubleRows += 1;
  let ledgerDoubleRequests = 0;
  let vendorDouble = 0;
  let vendorExtra = 0;
  let missingRefs = 0;
  let missingCalls = 0;
  let phantom = 0;
  let unknownBilled = 0;
  let unknownNotBilled = 0;
  let severalRows = 0;
  const ledgerTotal = zero();
  const offenders = {
    ledger_double_charge: [] as string[],
    vendor_double_charge: [] as string[],
    billed_without_ledger_row: [] as string[],
    left_processing: [] as string[],
    unanswered: [] as string[],
    replayed_500: [] as string[],
  };
  const runNiks = new Set<string>();
  for (const r of results) {
    runNiks.add(r.job.nik);
    const ids = rowsByKey.get(r.job.idempotencyKey) ?? [];
    if (ids.length > 1) severalRows += 1;
    const mine = zero();
    const all = zero();
    for (const id of ids) {
      const l = ledgerByVerification.get(id);
      if (!l) continue;
      for (const k of ['charged', 'unknown', 'free'] as const) {
        mine[k] += l.vendor[k];
        all[k] += l.all[k];
      }
    }
    for (const k of ['charged', 'unknown', 'free'] as const) ledgerTotal[k] += mine[k];
    if (all.charged > 1) {
      ledgerDoubleRequests += 1;
      offenders.ledger_double_charge.push(r.job.idempotencyKey);
    }
    const billed = vendor.refs[r.job.nik]?.charged ?? 0;
    if (billed > 1) {
      vendorDouble += 1;
      offenders.vendor_double_charge.push(r.job.idempotencyKey);
      vendorExtra += billed - 1;
    }
    const missing = billed - (mine.charged + mine.unknown);
    if (missing > 0) {
      missingRefs += 1;
      offenders.billed_without_ledger_row.push(r.job.idempotencyKey);
      missingCalls += missing;
    }
    phantom += Math.max(0, mine.charged - billed);
    if (mine.unknown > 0) {
      if (billed > mine.charged) unknownBilled += Math.min(mine.unknown, billed - mine.charged);
      unknownNotBilled += Math.max(0, mine.unknown - Math.max(0, billed - mine.charged));
    }
  }
  const vendorCharged = Object.values(vendor.refs).reduce((n, c) => n + c.charged, 0) + vendor.untracked.charged;
  const vendorCalls = Object.values(vendor.refs).reduce((n, c) => n + c.calls, 0) + vendor.untracked.calls;
  const foreignRefs = Object.keys(vendor.refs).filter((ref) => !runNiks.has(ref)).length;

  const stillProcessing = store.verifications.filter((v) => v.status === 'processing');
  const processing = stillProcessing.length;
  offenders.left_processing.push(...new Set(stillProcessing.flatMap((v) => (v.idempotency_key ? [v.idempotency_key] : []))));
  const unansweredClients = results.filter((r) => r.outcome === 'unanswered' || r.outcome === 'aborted');
  const unanswered = unansweredClients.length;
  offenders.unanswered.push(...unansweredClients.map((r) => r.job.idempotencyKey));

  // Replayed 500s while Redis was up: a stored failure of ours keeps coming back though its cause is gone.
  let replayed500 = 0;
  const replayed500Clients = new Set<number>();
  for (const r of results) {
    for (const t of r.fiveXX) {
      if (t.replayed && t.status === 500 && !timeline.isDown('redis', t.endAt)) {
        replayed500 += 1;
        if (!replayed500Clients.has(r.job.index)) offenders.replayed_500.push(r.job.idempotencyKey);
        replayed500Clients.add(r.job.index);
      }
    }
  }

  const invariants: InvariantRow[] = [
    {
      name: 'double charges by the ledger (verification rows with >1 charged row / client requests with >1)',
      measured: `${ledgerDoubleRows} / ${ledgerDoubleRequests}`,
      ok: ledgerDoubleRows === 0 && ledgerDoubleRequests === 0,
    },
    {
      name: "double charges by the vendor's counters (NIKs billed >1 time; extra charges)",
      measured: `${vendorDouble} (${vendorExtra})`,
      ok: vendorDouble === 0,
    },
    {
      name: 'billed calls without a ledger row (NIKs whose vendor charges exceed their charged + unknown rows; calls)',
      measured: `${missingRefs} (${missingCalls})`,
      ok: missingRefs === 0,
    },
    {
      name: 'vendor billed vs ledger charged + unknown (accuauth)',
      measured: `${vendorCharged} vs ${ledgerTotal.charged} + ${ledgerTotal.unknown}`,
    },
    { name: 'verifications left `processing`', measured: String(processing), ok: processing === 0 },
    { name: 'clients without a final answer (deadline passed)', measured: String(unanswered), ok: unanswered === 0 },
    {
      name: '500s replayed (Idempotent-Replayed) while Redis was up (answers; clients)',
      measured: `${replayed500} (${replayed500Clients.size})`,
      ok: replayed500 === 0,
    },
  ];

  const tries = results.reduce((n, r) => n + r.tries, 0);
  const durations = results
    .filter((r) => r.doneAt > 0)
    .map((r) => r.doneAt - r.firstAt)
    .sort((a, b) => a - b);
  const pct = (p: number) => ((durations[Math.min(durations.length - 1, Math.floor(p * durations.length))] ?? 0) / 1000).toFixed(1);
  const totals: [string, string][] = [
    ['verifications (client requests)', String(results.length)],
    ['HTTP tries; network errors; 409 in use', `${tries}; ${sum(results, (r) => r.networkErrors)}; ${sum(results, (r) => r.conflicts)}`],
    [
      'tries per verification: mean / max',
      `${(tries / Math.max(1, results.length)).toFixed(2)} / ${Math.max(0, ...results.map((r) => r.tries))}`,
    ],
    ['time to final answer p50 / p99 / max, s', `${pct(0.5)} / ${pct(0.99)} / ${((durations.at(-1) ?? 0) / 1000).toFixed(1)}`],
    ['accuauth calls seen by the vendor; billed', `${vendorCalls}; ${vendorCharged}`],
    ['ledger rows accuauth: charged / unknown / free', `${ledgerTotal.charged} / ${ledgerTotal.unknown} / ${ledgerTotal.free}`],
    ['unknown rows the vendor billed / did not bill', `${unknownBilled} / ${unknownNotBilled}`],
    ['ledger charged rows the vendor did not bill', String(phantom)],
    ['client requests with >1 verification row', String(severalRows)],
    ['vendor refs not from this run', String(foreignRefs)],
    ['verification rows by status', countBy(store.verifications.map((v) => v.status))],
    [
      'idempotency claims by state/stored status',
      store.claims.map((c) => `${c.state}${c.response_status ? `/${c.response_status}` : ''} ${c.n}`).join(', '),
    ],
    [
      'Redis down, s; vendor fault on, s',
      `${timeline.downSeconds('redis').toFixed(1)}; ${timeline.downSeconds('vendor_fault').toFixed(1)}`,
    ],
    ...processes.map((p): [string, string] => [`${p.name}: exits on its own; failed starts`, `${p.unexpectedExits}; ${p.startFailures}`]),
  ];

  const outcomes = new Map<string, { label: string; byScenario: Partial<Record<Scenario, number>>; total: number }>();
  for (const r of results) {
    const label = outcomeLabel(r);
    const o = outcomes.get(label) ?? { label, byScenario: {}, total: 0 };
    o.byScenario[r.job.scenario] = (o.byScenario[r.job.scenario] ?? 0) + 1;
    o.total += 1;
    outcomes.set(label, o);
  }

  const fiveXX = new Map<string, Report['fiveXX'][number]>();
  for (const r of results) {
    for (const t of r.fiveXX) {
      const code = `${t.status} ${t.code ?? '(no code)'}${t.cause ? ` (${t.cause})` : ''}`;
      const row = fiveXX.get(code) ?? { code, total: 0, redis: 0, vendorFault: 0, other: 0, replayedRedisUp: 0, replayedRedisDown: 0 };
      row.total += 1;
      if (t.replayed) {
        if (timeline.isDown('redis', t.endAt)) row.replayedRedisDown += 1;
        else row.replayedRedisUp += 1;
      } else if (timeline.overlaps('redis', t.sentAt - REDIS_RECONNECT_MS, t.endAt)) row.redis += 1;
      else if (timeline.overlaps('vendor_fault', t.sentAt, t.endAt)) row.vendorFault += 1;
      else row.other += 1;
      fiveXX.set(code, row);
    }
  }

  return {
    invariants,
    totals,
    outcomes: [...outcomes.values()].sort((a, b) => b.total - a.total),
    fiveXX: [...fiveXX.values()].sort((a, b) => b.total - a.total),
    broken: invariants.filter((i) => i.ok === false).map((i) => i.name),
    offenders: Object.fromEntries(Object.entries(offenders).filter(([, keys]) => keys.length > 0)),
  };
}

function outcomeLabel(r: ClientResult): string {
  const last = r.last;
  switch (r.outcome) {
    case 'answered':
      return last && last.status < 300
        ? `${last.status} ${last.verificationStatus ?? ''}`.trim()
        : `${last?.status} ${last?.code ?? ''}`.trim();
    case 'vendor_gave_up':
      return `gave up on vendor 5xx (last ${last?.status} ${last?.code ?? ''})`;
    case 'stuck_replay':
      return `stuck on replayed ${last?.status} ${last?.code ?? ''}`;
    case 'unanswered':
      return 'unanswered (deadline)';
    case 'aborted':
      return 'aborted';
  }
}

const zero = (): LedgerCounts => ({ charged: 0, unknown: 0, free: 0 });
const sum = <T>(xs: T[], f: (x: T) => number) => xs.reduce((n, x) => n + f(x), 0);

function countBy(values: string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
}
