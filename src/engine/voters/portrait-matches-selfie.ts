import { similarity } from '../face-analysis/similarity';
import { round, verdictOf, type ScoreBand, type Vote } from '../voter';

/**
 * Is the card's portrait the customer whose selfie passed? A card with its portrait replaced by the
 * presenter's, or someone else's card, shows another face than the customer's live selfie. The score is
 * the descriptors' similarity (face-analysis/similarity.ts). Only cast when the customer has a passed
 * selfie; with no portrait found, face_on_card already fails the card.
 */
export function portraitMatchesSelfieVote(portrait: Float32Array | null, selfie: Float32Array, band: ScoreBand): Vote {
  const name = 'portrait_matches_selfie';
  if (!portrait) return { name, verdict: 'uncertain', score: 0, detail: 'no portrait on the card to compare with the selfie' };
  const score = similarity(portrait, selfie);
  return {
    name,
    verdict: verdictOf(score, band),
    score: round(score, 3),
    detail: `similarity of the card portrait to the customer's latest passed selfie ${round(score, 3)}`,
  };
}
