import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { UpstreamFacts } from '../../../adapters/types';
import { loadErrorMap, resolveCharge, type ErrorMap } from '../../../src/gateway/error-map';

const ROOT = path.join(__dirname, '..', '..', '..');
const fixture = JSON.parse(readFileSync(path.join(ROOT, 'test', 'fixtures', 'documented-codes', 'idenfy.json'), 'utf8')) as {
  provider: string;
  codes: Array<{ operation: string; facts: UpstreamFacts; source: string; expect: string }>;
};

let map: ErrorMap;
beforeAll(() => {
  // Only this vendor's table: other vendors' files may be mid-edit.
  const dir = mkdtempSync(path.join(tmpdir(), 'idenfy-map-'));
  copyFileSync(path.join(ROOT, 'config', 'error-map', 'idenfy.json'), path.join(dir, 'idenfy.json'));
  map = loadErrorMap(dir);
});

describe('iDenfy mapping table', () => {
  it.each(fixture.codes.map((c) => [c.operation, JSON.stringify(c.facts), c.expect, c] as const))(
    'when %s answers %s, then a documented row maps it to %s',
    (_op, _facts, _expect, c) => {
      const { row, unmapped } = map.classify('idenfy', c.operation, c.facts);
      expect(unmapped).toBe(false);
      expect(row.suiteCode).toBe(c.expect);
    },
  );

  it('when every row is given its own match as facts, then that row is the one chosen (no row is shadowed)', () => {
    for (const row of map.rows('idenfy')) {
      const operation = row.operation === '*' ? 'webhook' : row.operation;
      expect(map.classify('idenfy', operation, row.match).row).toBe(row);
    }
  });

  it('when the error identifiers of seed 002 and the deletion page are listed, then each has its own row', () => {
    const identifiers = [
      'INTERNAL_ERROR',
      'BAD_VALUE',
      'MISSING_VALUE',
      'UNAUTHORIZED',
      'ENCODING_ERROR',
      'JSON_ERROR',
      'TOKEN_NOT_VALID',
      'PARTNER_CONTRACT_ERROR',
      'METHOD_NOT_ALLOWED',
      'PERMISSIONS_ERROR',
      'TOO_MANY_REQUESTS',
      'VALIDATION_ERROR',
      'PARTNER_ERROR',
    ];
    const mapped = new Set(map.rows('idenfy').map((r) => r.match.code));
    expect(identifiers.filter((i) => !mapped.has(i))).toEqual([]);
  });

  it("when an error row is read, then it never charges: nothing debits before a session's final state", () => {
    const charging = map.rows('idenfy').filter((r) => r.kind === 'error' && r.charged === 'charged');
    expect(charging).toEqual([]);
  });

  it('when a row reports account health, then it invites failover and leaves the breaker alone', () => {
    const health = map.rows('idenfy').filter((r) => r.accountHealth);
    expect(health.length).toBeGreaterThanOrEqual(6);
    for (const row of health) expect(row).toMatchObject({ failover: true, breaker: false });
  });

  it.each([
    ['APPROVED', 'charged', 'charged'],
    ['DENIED', 'free', 'charged'],
    ['SUSPECTED', 'free', 'charged'],
    ['REVIEWING', 'free', 'free'],
    ['EXPIRED', 'free', 'free'],
    ['IDENTIFICATION_CANCELLED', 'free', 'free'],
  ])('when the verdict is %s, then pay-per-approved books %s and pay-per-completed books %s', (result, ppa, ppc) => {
    const { row } = map.classify('idenfy', 'webhook', { code: 'IDENTIFICATION_AUTO_FINISHED', result });
    expect(resolveCharge(row, 'pay_per_approved')).toBe(ppa);
    expect(resolveCharge(row, 'pay_per_completed')).toBe(ppc);
  });

  it("when the org's plan is not known, then a plan-dependent verdict is booked unknown", () => {
    const { row } = map.classify('idenfy', 'webhook', { result: 'DENIED' });
    expect(resolveCharge(row)).toBe('unknown');
  });

  it('when iDenfy answers something undocumented, then the catch-all says upstream_unmapped, unknown, no failover', () => {
    const { row, unmapped } = map.classify('idenfy', 'token', { httpStatus: 418, code: 'TEAPOT' });
    expect(unmapped).toBe(true);
    expect(row).toMatchObject({ suiteCode: 'upstream_unmapped', charged: 'unknown', failover: false });
  });
});
