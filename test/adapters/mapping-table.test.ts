import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ProviderId, UpstreamFacts } from '../../adapters/types';
import { ERROR_MAP_DIR, loadErrorMap, type ErrorMap } from '../../src/gateway/error-map';

interface DocumentedCode {
  operation: string;
  facts: UpstreamFacts;
  source: string;
  expect: string;
  /** The facts that identify this answer; see test/fixtures/documented-codes/README.md. */
  key?: MatchField[];
}

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'documented-codes');
const documented = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.json'))
  .flatMap((f) => {
    const file = JSON.parse(readFileSync(path.join(FIXTURES, f), 'utf8')) as { provider: ProviderId; codes: DocumentedCode[] };
    return file.codes.map((c) => ({ provider: file.provider, ...c }));
  });

type MatchField = Exclude<keyof UpstreamFacts, 'requestId'>;

function identifyingFacts(c: DocumentedCode): MatchField[] {
  if (c.key) return c.key;
  const named = (['code', 'result', 'message'] as const).filter((f) => c.facts[f] !== undefined);
  return named.length > 0 ? named : ['httpStatus'];
}

/**
 * Documented answers without a row of their own: they fall to the catch-all, or only to a generic row
 * that names none of their identifying facts (say a bare 500 row catching a documented INTERNAL_ERROR).
 */
function undocumentedIn(map: ErrorMap) {
  return documented.filter((c) => {
    const { row, unmapped } = map.classify(c.provider, c.operation, c.facts);
    return unmapped || !identifyingFacts(c).some((f) => row.match[f] !== undefined);
  });
}

const map = loadErrorMap();
const fileOf = (provider: ProviderId) =>
  JSON.parse(readFileSync(path.join(ERROR_MAP_DIR, `${provider}.json`), 'utf8')) as {
    neverBills?: boolean;
    rows: Array<{ charged: unknown }>;
  };
// For `*` rows: an operation no adapter has, so only generic rows can answer it.
const ANY_OPERATION = '__any_operation__';

describe('the mapping table (config/error-map)', () => {
  it('when every provider file is loaded together, then it validates against the catalog', () => {
    expect(map.providers().sort()).toEqual(['accuauth', 'idenfy', 'inhouse', 'lapis']);
  });

  it.each(map.rows().map((row) => [row.provider, row.operation, JSON.stringify(row.match), row.kind, row.suiteCode, row] as const))(
    'row %s %s %s: when its facts come back, then it is the row chosen (%s %s) and its axes are consistent',
    (provider, operation, _match, _kind, _code, row) => {
      const chosen = map.classify(provider, operation === '*' ? ANY_OPERATION : operation, row.match).row;
      expect(chosen).toBe(row);
      if (row.charged === 'charged') expect(row.failover).toBe(false);
      if (row.final) expect(row.failover).toBe(false);
      if (row.accountHealth) expect(row.breaker).toBe(false);
      if (row.kind === 'result') expect(row.breaker).toBe(false);
    },
  );

  it.each(documented.map((c) => [c.provider, c.operation, JSON.stringify(c.facts), c.expect, c] as const))(
    'documented %s %s %s: when it comes back, then a row of its own maps it to %s',
    (provider, operation, _facts, expected, c) => {
      const { row, unmapped } = map.classify(provider, operation, c.facts);
      expect(unmapped).toBe(false);
      expect(identifyingFacts(c).some((f) => row.match[f] !== undefined)).toBe(true);
      expect(row.suiteCode).toBe(expected);
    },
  );

  it('when a documented code has no row, then the completeness check names it (it fails if a row is removed)', () => {
    for (const provider of map.providers()) {
      const file = JSON.parse(readFileSync(path.join(ERROR_MAP_DIR, `${provider}.json`), 'utf8'));
      const sample = documented.find((c) => c.provider === provider) as DocumentedCode & { provider: ProviderId };
      const target = map.classify(provider, sample.operation, sample.facts).row;
      const dir = mkdtempSync(path.join(tmpdir(), 'error-map-'));
      for (const other of readdirSync(ERROR_MAP_DIR).filter((f) => f.endsWith('.json'))) {
        writeFileSync(path.join(dir, other), readFileSync(path.join(ERROR_MAP_DIR, other)));
      }
      const kept = file.rows.filter((r: { operation: string; match: unknown }) => !(r.operation === target.operation && JSON.stringify(r.match) === JSON.stringify(target.match)));
      expect(kept).toHaveLength(file.rows.length - 1);
      writeFileSync(path.join(dir, `${provider}.json`), JSON.stringify({ ...file, rows: kept }));
      expect(undocumentedIn(map)).toEqual([]);
      expect(undocumentedIn(loadErrorMap(dir))).toContainEqual(sample);
    }
  });

  it('when an answer nobody documented comes back, then it is upstream_unmapped, charge unknown (free where the provider never bills), no failover', () => {
    for (const provider of map.providers()) {
      const { row, unmapped } = map.classify(provider, ANY_OPERATION, { httpStatus: 418, code: 'TEAPOT' });
      expect(unmapped).toBe(true);
      expect(row).toMatchObject({
        suiteCode: 'upstream_unmapped',
        charged: fileOf(provider).neverBills ? 'free' : 'unknown',
        failover: false,
      });
    }
  });

  it('when a body is garbage, then no success row claims it, and only a provider that never bills calls it free', () => {
    for (const provider of map.providers()) {
      for (const transport of ['malformed_body', 'schema_invalid'] as const) {
        const { row } = map.classify(provider, ANY_OPERATION, { httpStatus: 200, transport });
        expect(row.kind).toBe('error');
        if (fileOf(provider).neverBills) expect(row.charged).toBe('free');
        else expect(row.charged).not.toBe('free');
      }
    }
  });

  it('when a provider never bills, then every row of it is free and a charged row is refused at load', () => {
    const neverBilling = map.providers().filter((p) => fileOf(p).neverBills);
    expect(neverBilling).toEqual(['inhouse']);
    for (const provider of neverBilling) expect(new Set(map.rows(provider).map((r) => r.charged))).toEqual(new Set(['free']));
    const dir = mkdtempSync(path.join(tmpdir(), 'error-map-'));
    const file = fileOf('inhouse');
    file.rows = [{ ...file.rows[0], charged: 'charged' }, ...file.rows.slice(1)];
    writeFileSync(path.join(dir, 'inhouse.json'), JSON.stringify(file));
    expect(() => loadErrorMap(dir)).toThrow('rows[0]: inhouse never bills: every row is charged free');
  });
});
