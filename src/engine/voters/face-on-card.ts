import type { DetectedFace } from '../face-analysis/face-model';
import { round, verdictOf, type ScoreBand, type Vote } from '../voter';

/**
 * Does the card's photo area hold one face? A KTP without a portrait, or with the portrait covered or
 * replaced by something that is not a face, is not a genuine card. Two faces in the photo area mean a
 * pasted-over portrait. The score is the detector's confidence. A portrait the detector finds only
 * once its contrast is stretched (`stretched`: a dark, flat portrait) is uncertain, never a pass: a
 * genuine card under dim light looks like that, and so does a printed copy's faded portrait, so a
 * person decides rather than the detector's miss rejecting the one or its second look accepting the other.
 */
export function faceOnCardVote(faces: readonly DetectedFace[], band: ScoreBand, stretched = false): Vote {
  const name = 'face_on_card';
  if (faces.length === 0) return { name, verdict: 'fail', score: 0, detail: 'no face in the card photo area' };
  if (faces.length > 1) return { name, verdict: 'fail', score: 0, detail: `${faces.length} faces in the card photo area` };
  const score = round((faces[0] as DetectedFace).score, 3);
  if (stretched) {
    return {
      name,
      verdict: 'uncertain',
      score,
      detail: `portrait found only with its contrast stretched (dark or faded), detector confidence ${score}`,
    };
  }
  return { name, verdict: verdictOf(score, band), score, detail: `portrait found, detector confidence ${score}` };
}
