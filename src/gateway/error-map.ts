import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { TRANSPORT_FAILURES, type ProviderId, type UpstreamFacts } from '../../adapters/types';
import { canonicalJson } from '../canonical-json';
import { CHARGES, type Charge } from '../errors/app-error';
import { errorCatalog, type ErrorCatalog } from '../errors/catalog';
import { DEFAULT_REGISTRY, type Registry } from './registry';

export const ERROR_MAP_DIR = path.join(__dirname, '..', '..', 'config', 'error-map');

/** The rows every provider reached over HTTP shares (transport failures, the catch-all). */
export const SHARED_ROWS_FILE = '_transport.json';

/** `charged` is a fixed value, or depends on the org's pricing plan with the vendor (iDenfy pay-per-approved). */
const RowCharge = z.union([z.enum(CHARGES), z.object({ plan: z.record(z.string(), z.enum(CHARGES)) }).strict()]);

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
    charged: RowCharge,
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
    provider: z.string(),
    /** Source keys used by rows, with their URLs. */
    sources: z.record(z.string(), z.string()),
    /**
     * The provider can never bill (our own engine): every row must say `free`, the catch-all included,
     * since an answer nobody mapped still cost nothing and would only clutter finance's unknown rows.
     */
    neverBills: z.boolean().default(false),
    /** The adapter's operations, as its declaration names them; rows may name only these (or `*`). */
    operations: z.array(z.string().min(1)).min(1),
    rows: z.array(Row).min(1),
  })
  .strict();

const SharedFile = z
  .object({
    $comment: z.string().optional(),
    /** The providers these rows apply to: those whose declaration says this transport. */
    transport: z.literal('http'),
    rows: z.array(Row.extend({ operation: z.literal('*') })).min(1),
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
const specificity = (row: MappingRow) => (row.operation === '*' ? 0 : 100) + MATCH_FIELDS.filter((f) => row.match[f] !== undefined).length;

const isCatchAll = (row: MappingRow) => row.operation === '*' && Object.keys(row.match).length === 0;

/**
 * Every field a row names must equal the fact. A transport failure must be named to be matched: a row
 * for `{httpStatus: 200}` describes a readable 200, not a 200 whose body was garbage.
 */
const matches = (row: MappingRow, facts: UpstreamFacts) =>
  row.match.transport === facts.transport && MATCH_FIELDS.every((f) => row.match[f] === undefined || row.match[f] === facts[f]);

function validateFile(file: string, data: MappingFile, shared: MappingFile['rows'], catalog: ErrorCatalog): MappingRow[] {
  const fail = (i: number, why: string): never => {
    throw new Error(`${file}: rows[${i}]${i >= data.rows.length ? ` (${SHARED_ROWS_FILE} rows[${i - data.rows.length}])` : ''}: ${why}`);
  };
  const seen = new Set<string>();
  const rows = [...data.rows, ...shared].map((r, i) => {
    const row: MappingRow = { ...r, provider: data.provider };
    if (row.operation !== '*' && !data.operations.includes(row.operation)) fail(i, `unknown operation ${row.operation}`);
    if (row.kind === 'error' && !catalog.has(row.suiteCode)) fail(i, `suiteCode ${row.suiteCode} is not an error of the catalog`);
    if (row.kind === 'result' && !catalog.result(row.suiteCode)) fail(i, `suiteCode ${row.suiteCode} is not a result of the catalog`);
    if (data.neverBills && row.charged !== 'free') fail(i, `${data.provider} never bills: every row is charged free`);
    const mayBeCharged =
      row.charged === 'charged' || (typeof row.charged === 'object' && Object.values(row.charged.plan).includes('charged'));
    if (mayBeCharged && row.failover) fail(i, 'a charged answer cannot invite failover: it would pay twice (DESIGN 5)');
    if (row.suiteCode === 'upstream_unmapped' && row.failover)
      fail(i, 'an unreadable or unmapped answer never invites failover (DESIGN 4)');
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

export interface ErrorMapOptions {
  /** The providers the files must map (default: the shipped declarations). */
  registry?: Registry;
  catalog?: ErrorCatalog;
  /** The shared rows (default config/error-map/_transport.json, so a directory holding one vendor's file still loads). */
  sharedFile?: string;
  /** Mapping files outside `dir`, for providers declared elsewhere (a test's fixture vendor). */
  extraFiles?: readonly string[];
  /** Every declared provider must be mapped (default: when `dir` is config/error-map; tests load one vendor's file alone). */
  complete?: boolean;
}

function readJson<T>(file: string, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new Error(`${file}: ${issue?.path.join('.')}: ${issue?.message}`);
}

/**
 * Loads every provider file of `dir` (config/error-map), each with the shared rows where its provider is
 * reached over HTTP, validated against the schema, the catalog and the provider's declaration; throws
 * naming the bad row. Only declared providers may be mapped, and every operation a file lists must be one
 * its adapter declares, and the other way round.
 */
export function loadErrorMap(dir = ERROR_MAP_DIR, options: ErrorMapOptions = {}): ErrorMap {
  const registry = options.registry ?? DEFAULT_REGISTRY;
  const catalog = options.catalog ?? errorCatalog();
  const sharedPath =
    options.sharedFile ??
    (existsSync(path.join(dir, SHARED_ROWS_FILE)) ? path.join(dir, SHARED_ROWS_FILE) : path.join(ERROR_MAP_DIR, SHARED_ROWS_FILE));
  const shared = readJson(sharedPath, SharedFile);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json') && f !== SHARED_ROWS_FILE)
    .sort()
    .map((f) => path.join(dir, f));
  const byProvider = new Map<ProviderId, MappingRow[]>();
  for (const file of [...files, ...(options.extraFiles ?? [])]) {
    const data = readJson(file, MapFile);
    if (!registry.has(data.provider)) throw new Error(`${file}: provider ${data.provider}: no adapter declares it (adapters/index.ts)`);
    if (byProvider.has(data.provider)) throw new Error(`${file}: provider ${data.provider} mapped twice`);
    const adapter = registry.adapter(data.provider);
    const declared = Object.keys(adapter.operations).sort().join(', ');
    if ([...data.operations].sort().join(', ') !== declared) {
      throw new Error(`${file}: operations must be those ${data.provider} declares: ${declared}`);
    }
    const sharedRows = adapter.transport === shared.transport ? shared.rows : [];
    // Sorted once so that classify takes the first match: most specific first, file order among equals.
    const rows = validateFile(file, data, sharedRows, catalog)
      .map((row, index) => ({ row, index }))
      .sort((a, b) => specificity(b.row) - specificity(a.row) || a.index - b.index)
      .map(({ row }) => row);
    byProvider.set(data.provider, rows);
  }
  const unmapped = registry.ids.filter((p) => !byProvider.has(p));
  if ((options.complete ?? dir === ERROR_MAP_DIR) && unmapped.length > 0) {
    throw new Error(`${dir}: no mapping table for ${unmapped.join(', ')}: add config/error-map/<provider>.json`);
  }
  return {
    classify(provider, operation, facts) {
      const rows = byProvider.get(provider);
      if (!rows) throw new Error(`no mapping table for provider ${provider}`);
      const row = rows.find((r) => isCatchAll(r) || ((r.operation === '*' || r.operation === operation) && matches(r, facts)));
      // The loader refused every table without a catch-all, so this never fires.
      if (!row) throw new Error(`mapping table of ${provider} has no catch-all row`);
      return { row, unmapped: isCatchAll(row) };
    },
    rows: (provider) => (provider ? (byProvider.get(provider) ?? []) : [...byProvider.values()].flat()),
    providers: () => [...byProvider.keys()],
  };
}

/** The charge a row implies under the org's plan with this vendor (unknown when the plan is not in the row). */
export function resolveCharge(row: MappingRow, plan?: string): Charge {
  if (typeof row.charged === 'string') return row.charged;
  return (plan && row.charged.plan[plan]) || 'unknown';
}

/** The pricing plans a provider's rows distinguish (the keys of their `charged.plan`), for config/pricing.json to name. */
export function plansOf(errorMap: ErrorMap): (provider: string) => string[] {
  return (provider) => [
    ...new Set(errorMap.rows(provider).flatMap((r) => (typeof r.charged === 'object' ? Object.keys(r.charged.plan) : []))),
  ];
}
