import { matchFaces, verifyFlashLiveness, verifyKtpTamper, verifyRegistrylessSelfie, type InhouseEngine } from '../../../adapters/inhouse';
import type { EngineCapture, EngineMatch, EngineMatchRequest, EngineVote } from '../../../adapters/inhouse/schemas';
import type { AdapterOutcome, CallContext } from '../../../adapters/types';
import { loadErrorMap } from '../../../src/gateway/error-map';

/**
 * The adapter against an engine double: the in-process counterpart of the nock tests of the HTTP vendors.
 * Each answer the engine can give is read into facts, and the real mapping table says what it means.
 */

const CUSTOMER = 'cus_alice';
const NIK = '3217061012870001';
const map = loadErrorMap();

const votes = (verdict: EngineVote['verdict']): EngineVote[] => [{ name: 'flash_reflectance', verdict, score: 0.9, detail: 'd' }];
const selfie = (fused: string, over: Partial<EngineCapture> = {}): EngineCapture => ({
  id: 'cap_selfie',
  customerId: CUSTOMER,
  kind: 'selfie',
  antiSpoof: { fused, voters: votes(fused === 'live' ? 'pass' : fused === 'spoof' ? 'fail' : 'uncertain') },
  tamper: null,
  ...over,
});
const ktp = (antiSpoof: string, tamper: string): EngineCapture => ({
  id: 'cap_ktp',
  customerId: CUSTOMER,
  kind: 'ktp',
  antiSpoof: { fused: antiSpoof, voters: [] },
  tamper: { fused: tamper, voters: [] },
});
const stored = (matched: boolean): EngineMatch => ({
  id: 'mat_1',
  similarity: matched ? 0.81 : 0.2,
  matched,
  threshold: 0.55,
  probe: { source: 'capture_bundle', captureBundleId: 'cap_selfie' },
  perReference: [{ faceEnrollmentId: 'enr_1', source: 'ktp_extract', quality: 0.9, similarity: matched ? 0.81 : 0.2, matched }],
});

/** An engine that answers from fixed data and records what it was asked. */
function engineWith(answers: { capture?: EngineCapture | null; match?: () => Promise<EngineMatch | { refused: string; param?: string }> }) {
  const asked: { captures: string[]; matches: EngineMatchRequest[] } = { captures: [], matches: [] };
  const engine: InhouseEngine = {
    async findCapture(id) {
      asked.captures.push(id);
      return answers.capture === undefined ? null : answers.capture;
    },
    async matchFaces(request) {
      asked.matches.push(request);
      const answer = await (answers.match ?? (async () => stored(true)))();
      return 'refused' in answer ? answer : { match: answer };
    },
    checkNik: (idNumber) => ({ name: 'nik_checksum', verdict: idNumber === NIK ? 'pass' : 'fail', score: 1, detail: 'checked' }),
  };
  return { engine, asked };
}

const ctxOf = (engine: InhouseEngine, timeoutMs = 1000): CallContext => ({ baseUrl: '', credentials: {}, timeoutMs, engine });

function meaning(operation: string, outcome: AdapterOutcome) {
  const { row } = map.classify('inhouse', operation, outcome.facts);
  return {
    code: outcome.facts.code,
    suiteCode: row.suiteCode,
    kind: row.kind,
    charged: row.charged,
    final: row.final,
    breaker: row.breaker,
  };
}

describe('inhouse liveness (flash_liveness)', () => {
  it.each([
    ['live', 'liveness_passed', true],
    ['spoof', 'liveness_rejected', true],
    ['uncertain', 'liveness_inconclusive', false],
  ])('when the selfie bundle was fused %s, then the answer is %s, free, never a breaker failure', async (fused, suiteCode, final) => {
    const { engine } = engineWith({ capture: selfie(fused) });
    const outcome = await verifyFlashLiveness(ctxOf(engine), { captureBundleId: 'cap_selfie' }, CUSTOMER);
    expect(meaning('flash_liveness', outcome)).toEqual({ code: fused, suiteCode, kind: 'result', charged: 'free', final, breaker: false });
    expect(outcome.facts.requestId).toBe('cap_selfie');
    expect(outcome.data).toEqual({ captureBundleId: 'cap_selfie', antiSpoof: selfie(fused).antiSpoof });
  });

  it.each([
    ['unknown', null],
    ["another customer's", selfie('live', { customerId: 'cus_bob' })],
  ])('when the bundle is %s, then capture_bundle_not_found, with no verdict data', async (_what, capture) => {
    const { engine } = engineWith({ capture });
    const outcome = await verifyFlashLiveness(ctxOf(engine), { captureBundleId: 'cap_selfie' }, CUSTOMER);
    expect(meaning('flash_liveness', outcome)).toMatchObject({
      code: 'capture_bundle_not_found',
      suiteCode: 'capture_bundle_not_found',
      kind: 'error',
    });
    expect(outcome.data).toBeUndefined();
  });

  it('when a KTP bundle is given for liveness, then wrong_capture_kind is an invalid request', async () => {
    const { engine } = engineWith({ capture: ktp('live', 'pass') });
    const outcome = await verifyFlashLiveness(ctxOf(engine), { captureBundleId: 'cap_ktp' }, CUSTOMER);
    expect(meaning('flash_liveness', outcome)).toMatchObject({ code: 'wrong_capture_kind', suiteCode: 'invalid_request', kind: 'error' });
  });

  it('when the engine throws, then engine_unavailable: provider_unavailable, free, counted by the breaker, failover allowed', async () => {
    const engine: InhouseEngine = { ...engineWith({}).engine, findCapture: async () => Promise.reject(new Error('pool down')) };
    const outcome = await verifyFlashLiveness(ctxOf(engine), { captureBundleId: 'cap_selfie' }, CUSTOMER);
    expect(meaning('flash_liveness', outcome)).toEqual({
      code: 'engine_unavailable',
      suiteCode: 'provider_unavailable',
      kind: 'error',
      charged: 'free',
      final: false,
      breaker: true,
    });
    expect(map.classify('inhouse', 'flash_liveness', outcome.facts).row.failover).toBe(true);
  });

  it('when the engine does not answer within the timeout, then a free provider_timeout comes back at the deadline', async () => {
    const engine: InhouseEngine = { ...engineWith({}).engine, findCapture: () => new Promise(() => {}) };
    const started = Date.now();
    const outcome = await verifyFlashLiveness(ctxOf(engine, 150), { captureBundleId: 'cap_selfie' }, CUSTOMER);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(outcome.facts).toEqual({ transport: 'timeout', requestId: 'cap_selfie' });
    expect(map.classify('inhouse', 'flash_liveness', outcome.facts).row).toMatchObject({
      suiteCode: 'provider_timeout',
      charged: 'free',
      breaker: true,
    });
  });

  it('when the call context carries no engine, then the adapter refuses to run (a wiring fault, not an answer)', async () => {
    await expect(
      verifyFlashLiveness({ baseUrl: '', credentials: {}, timeoutMs: 100 }, { captureBundleId: 'cap_x' }, CUSTOMER),
    ).rejects.toThrow('no engine');
  });
});

describe('inhouse document (ktp_tamper)', () => {
  it.each([
    ['live', 'pass', 'tamper_pass', 'document_authentic'],
    ['live', 'fail', 'tamper_fail', 'document_rejected'],
    ['spoof', 'pass', 'spoof', 'document_rejected'],
    ['live', 'uncertain', 'tamper_uncertain', 'document_inconclusive'],
    ['uncertain', 'pass', 'tamper_uncertain', 'document_inconclusive'],
    ['uncertain', 'fail', 'tamper_fail', 'document_rejected'],
  ])('when the card was %s and its tamper voters fused %s, then %s -> %s', async (antiSpoof, tamper, code, suiteCode) => {
    const { engine } = engineWith({ capture: ktp(antiSpoof, tamper) });
    const outcome = await verifyKtpTamper(ctxOf(engine), { captureBundleId: 'cap_ktp' }, CUSTOMER);
    expect(meaning('ktp_tamper', outcome)).toMatchObject({ code, suiteCode, kind: 'result', charged: 'free' });
    expect(outcome.data).toMatchObject({ captureBundleId: 'cap_ktp', tamper: { fused: tamper } });
  });

  it('when a selfie bundle is given for a document, then wrong_capture_kind', async () => {
    const { engine } = engineWith({ capture: selfie('live') });
    const outcome = await verifyKtpTamper(ctxOf(engine), { captureBundleId: 'cap_selfie' }, CUSTOMER);
    expect(outcome.facts.code).toBe('wrong_capture_kind');
  });
});

describe('inhouse face_match', () => {
  it("when the engine stores a match, then matched (face_match) with the match id as request id, and the customer is the verification's", async () => {
    const { engine, asked } = engineWith({});
    const outcome = await matchFaces(ctxOf(engine), { captureBundleId: 'cap_selfie', faceEnrollmentId: 'enr_1' }, CUSTOMER);
    expect(asked.matches).toEqual([{ captureBundleId: 'cap_selfie', faceEnrollmentId: 'enr_1', customerId: CUSTOMER }]);
    expect(meaning('face_match', outcome)).toMatchObject({ code: 'matched', suiteCode: 'face_match', final: true });
    expect(outcome.facts.requestId).toBe('mat_1');
    expect(outcome.data).toMatchObject({
      matchId: 'mat_1',
      similarity: 0.81,
      matched: true,
      perReference: [{ faceEnrollmentId: 'enr_1' }],
    });
  });

  it.each([
    ['no_active_enrollments', 'customerId', 'error', 'no_active_enrollments'],
    ['bundle_liveness_not_passed', 'captureBundleId', 'error', 'bundle_liveness_not_passed'],
    ['face_not_found', 'referenceImage', 'result', 'no_face_detected'],
  ])('when the engine refuses with %s, then the table maps it (%s at fault)', async (refused, param, kind, suiteCode) => {
    const { engine } = engineWith({ match: async () => ({ refused, param }) });
    const outcome = await matchFaces(ctxOf(engine), { captureBundleId: 'cap_selfie' }, CUSTOMER);
    expect(meaning('face_match', outcome)).toMatchObject({ code: refused, kind, suiteCode, charged: 'free' });
    expect(outcome.data).toEqual({ param });
  });
});

describe('inhouse identity_selfie without a registry (registryless_selfie)', () => {
  const input = { idNumber: NIK, captureBundleId: 'cap_selfie' };

  it('when the NIK is structurally invalid, then nik_invalid (failed, final) and the engine is not asked about the selfie', async () => {
    const { engine, asked } = engineWith({ capture: selfie('live') });
    const outcome = await verifyRegistrylessSelfie(ctxOf(engine), { ...input, idNumber: '9917061012870001' }, CUSTOMER);
    expect(meaning('registryless_selfie', outcome)).toMatchObject({ code: 'nik_invalid', suiteCode: 'nik_invalid', final: true });
    expect(asked).toEqual({ captures: [], matches: [] });
    expect(outcome.data).toMatchObject({ registry: false, nik: { verdict: 'fail' } });
  });

  it('when the selfie was a spoof, then liveness_rejected and no face is matched', async () => {
    const { engine, asked } = engineWith({ capture: selfie('spoof') });
    const outcome = await verifyRegistrylessSelfie(ctxOf(engine), input, CUSTOMER);
    expect(meaning('registryless_selfie', outcome)).toMatchObject({ code: 'spoof', suiteCode: 'liveness_rejected', final: true });
    expect(asked.matches).toEqual([]);
  });

  it('when the selfie is live and matches an enrollment, then identity_unconfirmed: requires_review, registry false, never final', async () => {
    const { engine, asked } = engineWith({ capture: selfie('live') });
    const outcome = await verifyRegistrylessSelfie(ctxOf(engine), input, CUSTOMER);
    // Its own enrollment would match itself: the engine is asked to leave it out.
    expect(asked.matches).toEqual([{ customerId: CUSTOMER, captureBundleId: 'cap_selfie', excludeProbeEnrollments: true }]);
    const { row } = map.classify('inhouse', 'registryless_selfie', outcome.facts);
    expect(row).toMatchObject({ suiteCode: 'identity_unconfirmed', kind: 'result', charged: 'free', final: false, failover: true });
    expect(outcome.facts.requestId).toBe('mat_1');
    expect(outcome.data).toMatchObject({
      registry: false,
      nik: { verdict: 'pass' },
      antiSpoof: { fused: 'live' },
      match: { matchId: 'mat_1', matched: true },
    });
  });

  it('when the live selfie matches none of the enrollments, then face_mismatch, final', async () => {
    const { engine } = engineWith({ capture: selfie('live'), match: async () => stored(false) });
    const outcome = await verifyRegistrylessSelfie(ctxOf(engine), input, CUSTOMER);
    expect(meaning('registryless_selfie', outcome)).toMatchObject({ code: 'not_matched', suiteCode: 'face_mismatch', final: true });
  });

  it("when the customer has no enrollment but the probe's own, then no_active_enrollments, free, and a registry may still be tried", async () => {
    const { engine } = engineWith({
      capture: selfie('live'),
      match: async () => ({ refused: 'no_active_enrollments', param: 'customerId' }),
    });
    const outcome = await verifyRegistrylessSelfie(ctxOf(engine), input, CUSTOMER);
    const { row } = map.classify('inhouse', 'registryless_selfie', outcome.facts);
    expect(row).toMatchObject({ suiteCode: 'no_active_enrollments', kind: 'error', charged: 'free', failover: true, breaker: false });
  });

  it('when the match step fails in the engine, then provider_unavailable counted by the breaker', async () => {
    const { engine } = engineWith({ capture: selfie('live'), match: () => Promise.reject(new Error('worker crashed')) });
    const outcome = await verifyRegistrylessSelfie(ctxOf(engine), input, CUSTOMER);
    expect(meaning('registryless_selfie', outcome)).toMatchObject({
      code: 'engine_unavailable',
      suiteCode: 'provider_unavailable',
      breaker: true,
    });
  });
});
