import { CHECKS, type Check } from '../../adapters/types';
import { nikChecksumVote } from '../../src/engine/voters/nik-checksum';
import { nikClaims } from '../../src/gateway/inhouse-engine';
import { callContext, loadProvidersConfig } from '../../src/gateway/providers';
import { DEFAULT_REGISTRY as registry } from '../../src/gateway/registry';
import { loadRoutingPolicy } from '../../src/gateway/routing';
import { effectivePolicy, orgCandidates } from '../../src/gateway/routing-policy';

const BUNDLE = { captureBundleId: 'cap_0123456789abcdefghij' };
const SELFIE = { idNumber: '3217061012870001', faceImage: 'c2VsZmll' };
const policy = effectivePolicy(loadRoutingPolicy(), null);
const { acceptsInput, inputIssues, providersServing } = registry;
/** Providers whose declared operation for the check reads an input with a schema of its own. */
const providersWithInput = (check: Check) => registry.ids.filter((p) => registry.prepare(check, p, {}) !== null);

describe('input shapes per provider', () => {
  it.each(CHECKS.map((c) => [c]))('when %s is routed, then its input shapes are those of exactly the providers serving it', (check) => {
    expect([...providersWithInput(check)].sort()).toEqual([...providersServing(check)].sort());
  });

  it('when an identity_selfie carries a selfie bundle, then both AccuAuth and the engine take it; without one only AccuAuth', () => {
    expect(acceptsInput('identity_selfie', 'accuauth', { ...SELFIE, ...BUNDLE })).toBe(true);
    expect(acceptsInput('identity_selfie', 'inhouse', { ...SELFIE, ...BUNDLE })).toBe(true);
    expect(acceptsInput('identity_selfie', 'inhouse', SELFIE)).toBe(false);
    expect(inputIssues('identity_selfie', SELFIE)).toBeNull();
    expect(inputIssues('identity_selfie', SELFIE, 'inhouse')).toEqual([expect.objectContaining({ path: ['captureBundleId'] })]);
  });

  it('when a face_match input has two probes or two references, then the engine refuses it before routing', () => {
    expect(inputIssues('face_match', { ...BUNDLE, liveImage: 'aW1n' })).not.toBeNull();
    expect(inputIssues('face_match', { ...BUNDLE, faceEnrollmentId: 'enr_1', referenceImage: 'aW1n' })).not.toBeNull();
    expect(inputIssues('face_match', BUNDLE)).toBeNull();
  });

  it('when the input is a bundle, then Lapis is left out as input_not_accepted; a Lapis input leaves the engine out', () => {
    expect(orgCandidates(registry, policy, 'liveness', BUNDLE)).toEqual({
      candidates: [{ provider: 'inhouse', operation: 'flash_liveness' }],
      excluded: [{ provider: 'lapis', reason: 'input_not_accepted', suiteCode: 'invalid_request' }],
    });
    const video = { documentId: 'doc_1', video: { url: 'https://example.com/v.mp4' } };
    expect(orgCandidates(registry, policy, 'liveness', video).candidates).toEqual([{ provider: 'lapis', operation: 'liveliness' }]);
    expect(orgCandidates(registry, policy, 'identity_selfie', { ...SELFIE, ...BUNDLE }).candidates.map((c) => c.provider)).toEqual([
      'accuauth',
      'inhouse',
    ]);
  });
});

describe('the engine is reached in process', () => {
  it.each(['test', 'live'] as const)(
    'when a %s key calls it, then there is no URL, no credential and never provider_not_configured',
    (mode) => {
      const ctx = callContext(loadProvidersConfig(), 'inhouse', mode, {});
      expect(ctx).toMatchObject({ baseUrl: '', credentials: {}, timeoutMs: loadProvidersConfig().inhouse!.timeoutMs });
    },
  );
});

describe('the NIK claims identity_selfie leaves unstated', () => {
  const now = new Date('2025-06-01T00:00:00Z');

  it.each([
    ['a man born 1987-12-10', '3217061012870001', { birthDate: '1987-12-10', sex: 'male' }],
    ['a woman (day + 40) born 2005-03-09', '3217064903050001', { birthDate: '2005-03-09', sex: 'female' }],
  ])('when the NIK is of %s, then its own digits stand in and the structure passes', (_who, nik, claims) => {
    expect(nikClaims(nik, undefined, now)).toEqual({ nik, ...claims });
    expect(nikChecksumVote(nikClaims(nik, undefined, now)).verdict).toBe('pass');
  });

  it('when a birth date is stated that the NIK does not encode, then the voter fails it', () => {
    expect(nikChecksumVote(nikClaims('3217061012870001', '1987-12-11', now))).toMatchObject({
      verdict: 'fail',
      detail: expect.stringContaining('birth date'),
    });
  });

  it.each([
    ['an unknown province', '9917061012870001'],
    ['day 35', '3217063512870001'],
    ['month 13', '3217061013870001'],
    ['serial 0000', '3217061012870000'],
  ])('when the NIK has %s, then the structure fails', (_what, nik) => {
    expect(nikChecksumVote(nikClaims(nik, undefined, now)).verdict).toBe('fail');
  });
});
