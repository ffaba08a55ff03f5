import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const CatalogEntry = z
  .object({
    code: z.string().regex(/^[a-z][a-z0-9_]*$/, 'codes are snake_case'),
    status: z.number().int().min(400).max(599),
    type: z.enum([
      'invalid_request_error',
      'authentication_error',
      'permission_error',
      'idempotency_error',
      'rate_limit_error',
      'verification_error',
      'provider_error',
      'api_error',
    ]),
    message: z.string().min(1),
    retryable: z.boolean(),
    /** Where the exact message comes from; `example` fills the placeholders to reproduce the seed's line. */
    seed: z.object({ doc: z.string(), example: z.record(z.string(), z.string()).optional() }).strict().optional(),
  })
  .strict();

export const VERIFICATION_STATUSES = ['passed', 'failed', 'requires_review', 'not_found', 'pending', 'expired', 'cancelled'] as const;
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];

const ResultEntry = z
  .object({
    code: z.string().regex(/^[a-z][a-z0-9_]*$/, 'codes are snake_case'),
    /** The status a verification ends in when this result is its answer. */
    verificationStatus: z.enum(VERIFICATION_STATUSES),
    message: z.string().min(1),
  })
  .strict();

const CatalogFile = z
  .object({ $comment: z.string().optional(), errors: z.array(CatalogEntry).min(1), results: z.array(ResultEntry) })
  .strict();

export type ResultEntry = z.infer<typeof ResultEntry>;

export type CatalogEntry = z.infer<typeof CatalogEntry>;
export type ErrorType = CatalogEntry['type'];

export interface ErrorCatalog {
  get(code: string): CatalogEntry;
  has(code: string): boolean;
  entries(): readonly CatalogEntry[];
  /** A result code (a verdict about a person), or undefined. */
  result(code: string): ResultEntry | undefined;
  results(): readonly ResultEntry[];
}

export const DEFAULT_CATALOG_PATH = path.join(__dirname, '..', '..', 'config', 'error-catalog.json');

/** Loads and validates the catalog; throws a message naming the bad entry so start-up fails fast. */
export function loadErrorCatalog(file = DEFAULT_CATALOG_PATH): ErrorCatalog {
  const parsed = CatalogFile.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  const byCode = new Map<string, CatalogEntry>();
  for (const entry of parsed.data.errors) {
    if (byCode.has(entry.code)) throw new Error(`${file}: duplicate error code ${entry.code}`);
    for (const name of placeholders(entry.message)) {
      if (entry.seed && !entry.seed.example?.[name]) {
        throw new Error(`${file}: ${entry.code} has placeholder {${name}} but no seed.example.${name}`);
      }
    }
    byCode.set(entry.code, entry);
  }
  const results = new Map<string, ResultEntry>();
  for (const entry of parsed.data.results) {
    if (byCode.has(entry.code) || results.has(entry.code)) throw new Error(`${file}: duplicate code ${entry.code}`);
    results.set(entry.code, entry);
  }
  const entries = [...byCode.values()];
  return {
    get(code) {
      const entry = byCode.get(code);
      if (!entry) throw new Error(`error code ${code} is not in the catalog`);
      return entry;
    },
    has: (code) => byCode.has(code),
    entries: () => entries,
    result: (code) => results.get(code),
    results: () => [...results.values()],
  };
}

export function placeholders(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
}

/** Fills `{name}` placeholders; a missing value is left visible rather than silently dropped. */
export function renderMessage(template: string, values: Record<string, string | number | undefined> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = values[name];
    return value === undefined ? whole : String(value);
  });
}

let shared: ErrorCatalog | undefined;
/** The catalog from `config/error-catalog.json`, loaded once per process. */
export function errorCatalog(): ErrorCatalog {
  shared ??= loadErrorCatalog();
  return shared;
}
