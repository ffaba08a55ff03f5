import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { PROVIDERS, TRANSPORT_FAILURES, type ProviderId, type UpstreamFacts } from '../../adapters/types';
import { canonicalJson } from '../canonical-json';
import { errorCatalog, type ErrorCatalog } from '../errors/catalog';

export const ERROR_MAP_DIR = path.join(__dirname, '..', '..', 'config', 'error-map');

const ChargeValue = z.enum(['charged', 'free', 'unknown']);
export type ChargeValue = z.infer<typeof ChargeValue>;

/** `charged` is a fixed value, or depends on the org's pricing plan with the vendor (iDenfy pay-per-approved). */
const Charge = z.union([ChargeValue, z.object({ plan: z.record(z.string(), ChargeValue) }).strict()]);

const Match = z
  .object({
    httpStatus: z.number().int().min(100).max(599).optional(),
    code: z.string().min(1).optional(),
    result: z.string().min(1).optional(),
    message: z.string().min(1).optional(),
    transport: z.enum(TRANSPORT_FAILURES).optional(),
  })
  .strict();

export const ACCOUNT_STATES = ['quota_exhausted', 'funds_exhausted', 'credentials_rejected', 'account_disabled'] as const;

const Row = z
  .object({
    /** An operation of the adapter, or `*` for every operation. */
    operation: z.string().min(1),
    /** Facts this row matches; every given field must equal the call's fact. `{}` matches anything. */
    match: Match,
    /** `result`: a verdict about the person (HTTP 200 to the integrator); `error`: the call could not answer. */
    kind: z.enum(['result', 'error']),
    /** A result or error code of config/error-catalog.json, matching `kind`. */
    suiteCode: z.string(),
    charged: Charge,
    /** The answer is definitive about the person: no other provider is asked. */
    final: z.boolean(),
    /** Another provider may be tried for the same verification. */
    failover: z.boolean(),
    /** Counts as a provider-health failure for the circuit breaker. */
    breaker: z.boolean(),
    /** The same provider may be asked again later with the same input. */
    retryable: z.boolean(),
    /** The vendor account itself is unhealthy: a long cooldown and an alert instead of breaker flapping. */
    accountHealth: z.enum(ACCOUNT_STATES).optional(),
    note: z.string().min(1),
    /** Where the vendor documents this answer (a key of the file's `sources`, a seed, or `design`). */
    source: z.string().min(1),
  })
  .strict();

const MapFile = z
  .object({
    $comment: z.string().optional(),
    provider: z.enum(PROVIDERS),
    /** Source keys used by rows, with their URLs. */
    sources: z.record(z.string(), z.string()),
    /**
     * The provider can never bill (our own engine): every row must say `free`, the catch-all included,
     * since an answer nobody mapped still cost nothing and would only clutter finance's unknown rows.
     */
    neverBills: z.boolean().default(false),
    /** The adapter's operations; rows may name only these (or `*`). */
    operations: z.array(z.string().min(1)).min(1),
    rows: z.array(Row).min(1),
  })
  .strict();

export type MappingRow = z.infer<typeof Row> & { provider: ProviderId };
export type MappingFile = z.infer<typeof MapFile>;

export interface Classification {
  row: MappingRow;
  /** True when only the provider's catch-all row matched: an answer nobody documented. */
  unmapped: boolean;
}

export interface ErrorMap {
  classify(provider: ProviderId, operation: string, facts: UpstreamFacts): Classification;
  rows(provider?: ProviderId): readonly MappingRow[];
  providers(): ProviderId[];
}

const MATCH_FIELDS = ['httpStatus', 'code', 'result', 'message', 'transport'] as const;

/** How specific a row is: an operation-specific row beats any `*` row, then more matched fields win. */
const specificity = (row: MappingRow) =>
  (row.operation === '*' ? 0 : 100) + MATCH_FIELDS.filter((f) => row.match[f] !== undefined).length;

const isCatchAll = (row: MappingRow) => row.operation === '*' && Object.keys(row.match).length === 0;

/**
 * Every field a row names must equal the fact. A transport failure must be named to be matched: a row
 * for `{httpStatus: 200}` describes a readable 200, not a 200 whose body was garbage.
 */
const matches = (row: MappingRow, facts: UpstreamFacts) =>
  row.match.transport === facts.transport && MATCH_FIELDS.every((f) => row.match[f] === undefined || row.match[f] === facts[f]);

function validateFile(file: string, data: MappingFile, catalog: ErrorCatalog): MappingRow[] {
  const fail = (i: number, why: string): never => {
    throw new Error(`${file}: rows[${i}]: ${why}`);
  };
  const seen = new Set<string>();
  const rows = data.rows.map((r, i) => {
    const row: MappingRow = { ...r, provider: data.provider };
    if (row.operation !== '*' && !data.operations.includes(row.operation)) fail(i, `unknown operation ${row.operation}`);
    if (row.kind === 'error' && !catalog.has(row.suiteCode)) fail(i, `suiteCode ${row.suiteCode} is not an error of the catalog`);
    if (row.kind === 'result' && !catalog.result(row.suiteCode)) fail(i, `suiteCode ${row.suiteCode} is not a result of the catalog`);
    if (data.neverBills && row.charged !== 'free') fail(i, `${data.provider} never bills: every row is charged free`);
    const mayBeCharged = row.charged === 'charged' || (typeof row.charged === 'object' && Object.values(row.charged.plan).includes('charged'));
    if (mayBeCharged && row.failover) fail(i, 'a charged answer cannot invite failover: it would pay twice (DESIGN 5)');
    if (row.suiteCode === 'upstream_unmapped' && row.failover) fail(i, 'an unreadable or unmapped answer never invites failover (DESIGN 4)');
    if (row.final && row.failover) fail(i, 'a final answer cannot invite failover');
    if (!(row.source in data.sources) && !/^(seed \d{3}|design)/.test(row.source)) fail(i, `source ${row.source} is not in sources`);
    const key = `${row.operation} ${canonicalJson(row.match)}`;
    if (seen.has(key)) fail(i, `duplicate match ${key}`);
    seen.add(key);
    return row;
  });
  const catchAll = rows.find(isCatchAll);
  if (!catchAll) throw new Error(`${file}: needs a catch-all row (operation "*", match {}) for unknown answers`);
  // Unknown: the vendor may have billed an answer nobody documented. A provider that never bills knows it did not.
  const charge = data.neverBills ? 'free' : 'unknown';
  if (catchAll.suiteCode !== 'upstream_unmapped' || catchAll.charged !== charge || catchAll.failover) {
    throw new Error(`${file}: the catch-all row must be upstream_unmapped, charged ${charge}, no failover (DESIGN 4)`);
  }
  return rows;
}

/** Loads every `config/error-map/*.json`, validated against its schema and the catalog; throws naming the bad row. */
export function loadErrorMap(dir = ERROR_MAP_DIR, catalog = errorCatalog()): ErrorMap {
  const byProvider = new Map<ProviderId, MappingRow[]>();
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const file = path.join(dir, name);
    const parsed = MapFile.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${file}: ${issue?.path.join('.')}: ${issue?.message}`);
    }
    if (byProvider.has(parsed.data.provider)) throw new Error(`${file}: provider ${parsed.data.provider} mapped twice`);
    // Sorted once so that classify takes the first match: most specific first, file order among equals.
    const rows = validateFile(file, parsed.data, catalog)
      .map((row, index) => ({ row, index }))
      .sort((a, b) => specificity(b.row) - specificity(a.row) || a.index - b.index)
      .map(({ row }) => row);
    byProvider.set(parsed.data.provider, rows);
  }
  return {
    classify(provider, operation, facts) {
      const rows = byProvider.get(provider);
      if (!rows) throw new Error(`no mapping table for provider ${provider}`);
      const row = rows.find((r) => isCatchAll(r) || ((r.operation === '*' || r.operation === operation) && matches(r, facts))) as MappingRow;
      return { row, unmapped: isCatchAll(row) };
    },
    rows: (provider) => (provider ? byProvider.get(provider) ?? [] : [...byProvider.values()].flat()),
    providers: () => [...byProvider.keys()],
  };
}

/** The charge a row implies under the org's plan with this vendor (unknown when the plan is not in the row). */
export function resolveCharge(row: MappingRow, plan?: string): ChargeValue {
  if (typeof row.charged === 'string') return row.charged;
  return (plan && row.charged.plan[plan]) || 'unknown';
}
