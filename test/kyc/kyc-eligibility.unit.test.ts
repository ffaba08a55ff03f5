import { tierFor, type Evidence } from '../../src/kyc/kyc-eligibility';
import { REQUIREMENTS, type Requirement } from '../../src/kyc/kyc-tiers';

/** Evidence where exactly the named requirements are satisfied (each by one made-up id). */
const evidence = (...satisfied: Requirement[]): Evidence =>
  Object.fromEntries(
    REQUIREMENTS.map((r) => [r, satisfied.includes(r) ? { satisfied: true, ids: [`ver_${r}`] } : { satisfied: false, ids: [] }]),
  ) as Evidence;

describe('KYC eligibility from evidence (tierFor)', () => {
  it('when there is no evidence, then the tier is none and basic needs a registry-confirmed NIK', () => {
    expect(tierFor(evidence())).toEqual({ tier: 'none', nextTier: { tier: 'basic', missing: ['nikConfirmed'] } });
  });

  it('when only the NIK is confirmed, then basic, and standard still needs liveness and a document', () => {
    expect(tierFor(evidence('nikConfirmed'))).toEqual({ tier: 'basic', nextTier: { tier: 'standard', missing: ['liveness', 'document'] } });
  });

  it('when the NIK is confirmed and liveness passed but no document, then basic, and standard needs only the document', () => {
    expect(tierFor(evidence('nikConfirmed', 'liveness'))).toEqual({ tier: 'basic', nextTier: { tier: 'standard', missing: ['document'] } });
  });

  it('when the NIK, liveness and a document are in, then standard, and premium needs a registry selfie', () => {
    expect(tierFor(evidence('nikConfirmed', 'liveness', 'document'))).toEqual({
      tier: 'standard',
      nextTier: { tier: 'premium', missing: ['registrySelfie'] },
    });
  });

  it('when every requirement is met, then premium and there is no next tier', () => {
    expect(tierFor(evidence(...REQUIREMENTS))).toEqual({ tier: 'premium', nextTier: null });
  });

  it('when liveness and a document passed but no registry confirmed the NIK, then none: tiers are cumulative', () => {
    expect(tierFor(evidence('liveness', 'document'))).toEqual({ tier: 'none', nextTier: { tier: 'basic', missing: ['nikConfirmed'] } });
  });

  it('when a registry selfie, liveness and a document are in but the NIK is not confirmed, then none, not premium', () => {
    // computeEligibility always counts a registry selfie as NIK confirmation too; tierFor must not skip a tier if it is not.
    expect(tierFor(evidence('registrySelfie', 'liveness', 'document')).tier).toBe('none');
  });

  it('when the NIK and a registry selfie are confirmed but liveness is missing, then basic, and standard lists what is missing', () => {
    expect(tierFor(evidence('nikConfirmed', 'registrySelfie', 'document'))).toEqual({
      tier: 'basic',
      nextTier: { tier: 'standard', missing: ['liveness'] },
    });
  });
});
