import nock from 'nock';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { UpstreamFacts } from '../../../adapters/types';
import { ERROR_MAP_DIR, loadErrorMap } from '../../../src/gateway/error-map';

// Only AccuAuth's table: other vendors' files may be mid-edit.
const mapDir = mkdtempSync(path.join(tmpdir(), 'accuauth-map-'));
copyFileSync(path.join(ERROR_MAP_DIR, 'accuauth.json'), path.join(mapDir, 'accuauth.json'));
const errorMap = loadErrorMap(mapDir);
afterAll(() => rmSync(mapDir, { recursive: true, force: true }));
// test/setup-env.ts activates nock in every test file and nothing restores it: left active, this file's
// interceptor would answer the next test file's requests in the same worker and hide that file's mocks.
afterAll(() => nock.restore());

interface DocumentedCode {
  operation: string;
  facts: UpstreamFacts;
  source: string;
  expect: string;
}
const documented: { provider: string; codes: DocumentedCode[] } = JSON.parse(
  readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'documented-codes', 'accuauth.json'), 'utf8'),
);
const classify = (operation: string, facts: UpstreamFacts) => errorMap.classify('accuauth', operation, facts);
const ok = (result: string): UpstreamFacts => ({ httpStatus: 200, code: 'OK', result });

describe('AccuAuth mapping table', () => {
  it.each(documented.codes.map((c) => [c.operation, JSON.stringify(c.facts), c]))(
    'when %s reports the documented %s, then a row other than the catch-all maps it to the expected suite code',
    (_op, _facts, code) => {
      const { row, unmapped } = classify(code.operation, code.facts);

      expect(unmapped).toBe(false);
      expect(row.suiteCode).toBe(code.expect);
    },
  );

  it.each(['id_selfie', 'id_name'])('when %s answers 01 or 02, then the verdict is charged and final with no failover', (op) => {
    for (const result of ['01', '02']) {
      expect(classify(op, ok(result)).row).toMatchObject({ kind: 'result', charged: 'charged', final: true, failover: false, breaker: false });
    }
  });

  it('when 03 comes back, then id_selfie reads not found and id_name reads not sure', () => {
    expect(classify('id_selfie', ok('03')).row.suiteCode).toBe('identity_not_found');
    expect(classify('id_name', ok('03')).row.suiteCode).toBe('identity_inconclusive');
  });

  it.each(['03', '04', '05', '06', '07', '08'])('when id_selfie answers %s, then it is free', (result) => {
    expect(classify('id_selfie', ok(result)).row.charged).toBe('free');
  });

  it('when a health failure or a rate limit comes back, then only the health failures feed the breaker and both fail over', () => {
    const health = [ok('06'), { httpStatus: 500, code: 'INTERNAL_ERROR' }, { httpStatus: 512, code: 'SOURCE_SERVICE_UNAVAILABLE' }, { httpStatus: 513, code: 'SOURCE_SERVICE_TIMEOUT' }, { transport: 'timeout' as const }];
    const limits = [ok('07'), { httpStatus: 403, code: 'RATE_LIMIT_EXCEEDED' }];
    for (const facts of health) expect(classify('id_selfie', facts).row).toMatchObject({ failover: true, final: false, breaker: true });
    for (const facts of limits) expect(classify('id_selfie', facts).row).toMatchObject({ failover: true, final: false, breaker: false });
  });

  it('when 05 or 08 comes back, then the chain stops there for free', () => {
    for (const result of ['05', '08']) expect(classify('id_selfie', ok(result)).row).toMatchObject({ final: true, failover: false, charged: 'free' });
  });

  it('when an account problem comes back, then it is account health, not a breaker failure', () => {
    expect(classify('id_name', { httpStatus: 403, code: 'OUT_OF_QUOTA' }).row).toMatchObject({ accountHealth: 'quota_exhausted', breaker: false, failover: true });
    expect(classify('id_name', { httpStatus: 401, code: 'KEY_EXPIRED' }).row).toMatchObject({ accountHealth: 'credentials_rejected', suiteCode: 'provider_auth_failed', failover: true });
    expect(classify('id_name', { httpStatus: 403, code: 'NO_PERMISSION' }).row).toMatchObject({ accountHealth: 'account_disabled', breaker: false });
  });

  it('when the vendor rejects our argument, then it is invalid_request without failover', () => {
    expect(classify('id_selfie', { httpStatus: 400, code: 'INVALID_ARGUMENT' }).row).toMatchObject({ suiteCode: 'invalid_request', failover: false, breaker: false });
  });

  it.each([
    ['id_name', ok('05')],
    ['id_selfie', ok('09')],
    ['id_name_check', { httpStatus: 429, code: 'TOO_MANY_REQUESTS' }],
    ['id_selfie', { httpStatus: 200, code: 'OK' }],
  ])('when %s reports the undocumented %j, then the catch-all answers upstream_unmapped with charge unknown and no failover', (op, facts) => {
    const { row, unmapped } = classify(op, facts);

    expect(unmapped).toBe(true);
    expect(row).toMatchObject({ suiteCode: 'upstream_unmapped', charged: 'unknown', failover: false });
  });
});
