import { readFileSync } from 'node:fs';
import path from 'node:path';
import { lapis } from '../../../adapters/lapis';
import type { UpstreamFacts } from '../../../adapters/types';
import { lapisErrorMap } from './fixtures';

const { map, cleanup } = lapisErrorMap();
afterAll(cleanup);

interface DocumentedCode {
  operation: string;
  facts: UpstreamFacts;
  source: string;
  expect: string;
}
const documented: { provider: string; codes: DocumentedCode[] } = JSON.parse(
  readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'documented-codes', 'lapis.json'), 'utf8'),
);
const classify = (operation: string, facts: UpstreamFacts) => map.classify('lapis', operation, facts);
const OPERATIONS = Object.keys(lapis.operations);
const BILLED = ['document_upload', 'face_authentication', 'liveliness'];
const SUCCESS: Record<string, number[]> = {
  document_upload: [200, 201],
  face_authentication: [200],
  liveliness: [200],
  kyc_request_create: [201],
  kyc_request_accept: [200],
  kyc_request_list: [200],
  kyc_request_get: [200],
  kyc_request_delete: [200],
};

describe('Lapis mapping table', () => {
  it("when the table is loaded, then its operations are exactly the adapter's", () => {
    const file = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'config', 'error-map', 'lapis.json'), 'utf8'));
    expect([...file.operations].sort()).toEqual([...OPERATIONS].sort());
  });

  it.each(documented.codes.map((c) => [c.operation, JSON.stringify(c.facts), c]))(
    'when %s reports the documented %s, then a row other than the catch-all maps it to the expected suite code',
    (_op, _facts, code) => {
      const { row, unmapped } = classify(code.operation, code.facts);

      expect(unmapped).toBe(false);
      expect(row.suiteCode).toBe(code.expect);
    },
  );

  it.each(map.rows('lapis').map((row, i) => [i, row.operation, JSON.stringify(row.match), row]))(
    'when row %i (%s %s) is read, then some operation reaches it (no row is shadowed)',
    (_i, _op, _match, row) => {
      const ops = row.operation === '*' ? OPERATIONS : [row.operation];
      expect(ops.some((op) => classify(op, row.match).row === row)).toBe(true);
    },
  );

  it.each([
    ['face_authentication', 'Face match verification FAILED!', 'face_mismatch'],
    ['liveliness', ':liveliness verification FAILED!', 'liveness_rejected'],
  ])('when %s answers 400 "%s", then it is a charged, final result that never trips the breaker', (op, message, code) => {
    expect(classify(op, { httpStatus: 400, message }).row).toMatchObject({
      kind: 'result',
      suiteCode: code,
      charged: 'charged',
      final: true,
      failover: false,
      breaker: false,
    });
  });

  it('when the document is not recognised, then it is a charged result, not final, with no failover (it was billed)', () => {
    expect(classify('document_upload', { httpStatus: 400, message: 'The document supplied is not recognized!' }).row).toMatchObject({
      kind: 'result',
      suiteCode: 'document_rejected',
      charged: 'charged',
      final: false,
      failover: false,
      breaker: false,
    });
  });

  it.each(OPERATIONS)(
    'when %s gets 401 "invalid api key", then the account is flagged, the call is free and another provider may answer',
    (op) => {
      expect(classify(op, { httpStatus: 401, message: 'invalid api key' }).row).toMatchObject({
        suiteCode: 'provider_auth_failed',
        accountHealth: 'credentials_rejected',
        charged: 'free',
        failover: true,
        breaker: false,
      });
    },
  );

  it('when Lapis refuses our input (400s, 413), then the answer is free, not retried elsewhere, and not a health failure', () => {
    const badInput = documented.codes.filter((c) => c.expect === 'invalid_request');
    expect(badInput.length).toBeGreaterThanOrEqual(12);
    for (const c of badInput)
      expect(classify(c.operation, c.facts).row).toMatchObject({
        kind: 'error',
        charged: 'free',
        failover: false,
        breaker: false,
        retryable: false,
      });
  });

  it.each(
    Object.entries(SUCCESS).flatMap(([op, statuses]) =>
      statuses.flatMap(
        (s) =>
          [
            [op, s, 'malformed_body'],
            [op, s, 'schema_invalid'],
          ] as const,
      ),
    ),
  )('when %s answers %i with a %s, then it is not read as the success verdict', (op, httpStatus, transport) => {
    const { row, unmapped } = classify(op, { httpStatus, transport });

    expect(unmapped).toBe(false);
    expect(row).toMatchObject({
      kind: 'error',
      suiteCode: 'upstream_unmapped',
      failover: false,
      breaker: true,
      charged: BILLED.includes(op) ? 'unknown' : 'free',
    });
  });

  it('when the exchange fails below HTTP, then only a refused connection is free; timeouts and resets leave failover to the unknown-charge policy', () => {
    expect(classify('face_authentication', { transport: 'timeout' }).row).toMatchObject({
      suiteCode: 'provider_timeout',
      charged: 'unknown',
      failover: true,
      breaker: true,
    });
    expect(classify('face_authentication', { transport: 'connection_refused' }).row).toMatchObject({
      suiteCode: 'provider_unavailable',
      charged: 'free',
      failover: true,
      breaker: true,
    });
    expect(classify('face_authentication', { transport: 'connection_reset' }).row).toMatchObject({
      charged: 'unknown',
      failover: true,
      breaker: true,
    });
    expect(classify('liveliness', { transport: 'malformed_body', httpStatus: 400 }).row).toMatchObject({
      suiteCode: 'upstream_unmapped',
      charged: 'unknown',
      breaker: true,
    });
  });

  it("when the quota knob's 429 comes back, then the account is flagged quota_exhausted without tripping the breaker", () => {
    expect(classify('document_upload', { httpStatus: 429, message: 'quota exceeded' }).row).toMatchObject({
      suiteCode: 'provider_quota_exhausted',
      accountHealth: 'quota_exhausted',
      charged: 'free',
      failover: true,
      breaker: false,
    });
  });

  it('when Lapis answers a 400 nobody documented, then the catch-all takes it with an unknown charge and no failover', () => {
    const { row, unmapped } = classify('face_authentication', { httpStatus: 400, message: 'something new' });

    expect(unmapped).toBe(true);
    expect(row).toMatchObject({ suiteCode: 'upstream_unmapped', charged: 'unknown', failover: false });
  });

  it("when a verdict message arrives on another operation, then it is not read as that operation's verdict", () => {
    expect(classify('document_upload', { httpStatus: 400, message: 'Face match verification FAILED!' }).unmapped).toBe(true);
  });
});

describe('Lapis eKYC flow rows', () => {
  it.each([
    ['kyc_request_find', { httpStatus: 200, result: 'validated' }, 'request_completed'],
    ['kyc_request_find', { httpStatus: 200, result: 'awaiting_person' }, 'ekyc_awaiting_person'],
    ['kyc_request_find', { httpStatus: 200, result: 'not_found' }, 'resource_not_found'],
    ['kyc_request_get', { httpStatus: 200, result: 'accepted' }, 'ekyc_accepted'],
    ['kyc_request_get', { httpStatus: 200, result: 'open' }, 'ekyc_not_accepted'],
    ['kyc_request_get', { httpStatus: 200, result: 'missing' }, 'resource_not_found'],
  ] as const)('when %s answers %j, then the step reads as %s, free', (operation, facts, suiteCode) => {
    expect(classify(operation, facts).row).toMatchObject({ suiteCode, charged: 'free' });
  });

  it.each(['kyc_request_create', 'kyc_request_accept', 'kyc_request_find', 'kyc_request_get'])(
    'when %s was in flight as our process died, then it is free (request management is never billed), unlike a verdict step',
    (operation) => {
      expect(classify(operation, { transport: 'interrupted' }).row).toMatchObject({ suiteCode: 'provider_timeout', charged: 'free' });
      expect(classify('face_authentication', { transport: 'interrupted' }).row.charged).toBe('unknown');
    },
  );
});
