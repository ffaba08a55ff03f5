import { TIERS, type Tier } from '../../src/kyc/kyc-tiers';
import {
  highestOverrideTier,
  MIN_OVERRIDE_REASON_CHARS,
  overrideAllowed,
  overrideReasonLongEnough,
  type TierStanding,
} from '../../src/kyc/override-rule';

/** A customer holding what the evidence supports (no earlier override). */
const fromEvidence = (eligible: Tier): TierStanding => ({ held: eligible, eligible });

describe('the KYC override rule (seed 000: one tier up at a time)', () => {
  it('when the customer is eligible for basic, then an analyst may raise them one step to standard', () => {
    expect(overrideAllowed(fromEvidence('basic'), 'standard')).toBe(true);
    expect(highestOverrideTier(fromEvidence('basic'))).toBe('standard');
  });

  it('when the customer is eligible for basic, then premium (two steps) is refused', () => {
    expect(overrideAllowed(fromEvidence('basic'), 'premium')).toBe(false);
  });

  it('when nothing is eligible, then basic is allowed and standard (two steps) is refused', () => {
    expect(overrideAllowed(fromEvidence('none'), 'basic')).toBe(true);
    expect(overrideAllowed(fromEvidence('none'), 'standard')).toBe(false);
    expect(overrideAllowed(fromEvidence('none'), 'premium')).toBe(false);
  });

  it('when an earlier override raised basic to standard, then the next step (premium) is measured from that override and allowed', () => {
    expect(overrideAllowed({ held: 'standard', eligible: 'basic' }, 'premium')).toBe(true);
    expect(highestOverrideTier({ held: 'standard', eligible: 'basic' })).toBe('premium');
  });

  it('when an earlier override raised none to basic, then standard is allowed but premium is still two steps away', () => {
    expect(overrideAllowed({ held: 'basic', eligible: 'none' }, 'standard')).toBe(true);
    expect(overrideAllowed({ held: 'basic', eligible: 'none' }, 'premium')).toBe(false);
  });

  it('when an analyst restricted a basic customer to none, then the next upgrade is measured from the evidence, not the restriction', () => {
    const restricted: TierStanding = { held: 'none', eligible: 'basic' };
    expect(overrideAllowed(restricted, 'standard')).toBe(true);
    expect(overrideAllowed(restricted, 'premium')).toBe(false);
  });

  it.each(TIERS.flatMap((held) => TIERS.filter((t) => TIERS.indexOf(t) < TIERS.indexOf(held)).map((lower) => [held, lower] as const)))(
    'when the customer holds %s, then lowering them to %s is always allowed, whatever the evidence',
    (held, lower) => {
      for (const eligible of TIERS) expect(overrideAllowed({ held, eligible }, lower)).toBe(true);
    },
  );

  it.each(TIERS.map((t) => [t]))(
    'when the requested tier is the one already held (%s), then it is allowed (re-confirming with a reason)',
    (tier) => {
      expect(overrideAllowed(fromEvidence(tier), tier)).toBe(true);
    },
  );

  it('when the customer is premium, then premium is the highest an override can set', () => {
    expect(highestOverrideTier(fromEvidence('premium'))).toBe('premium');
    expect(highestOverrideTier({ held: 'premium', eligible: 'none' })).toBe('premium');
  });
});

describe('the override reason (seed 000: at least 20 characters)', () => {
  it('when the trimmed reason has 19 characters, then it is too short; with 20 it is enough', () => {
    expect(MIN_OVERRIDE_REASON_CHARS).toBe(20);
    expect(overrideReasonLongEnough('x'.repeat(19))).toBe(false);
    expect(overrideReasonLongEnough('12345678901234567890')).toBe(true);
  });

  it('when the reason is empty, then it is too short', () => {
    expect(overrideReasonLongEnough('')).toBe(false);
  });
});
