import type { DetectedFace } from '../face-analysis/face-model';
import { round, verdictOf, type ScoreBand, type Vote } from '../voter';

/**
 * Does the card's photo area hold one face? A KTP without a portrait, or with the portrait covered or
 * replaced by something that is not a face, is not a genuine card. Two faces in the photo area mean a
 * pasted-over portrait. The score is the detector's confidence.
 */
export function faceOnCardVote(faces: readonly DetectedFace[], band: ScoreBand): Vote {
  const name = 'face_on_card';
  if (faces.length === 0) return { name, verdict: 'fail', score: 0, detail: 'no face in the card photo area' };
  if (faces.length > 1) return { name, verdict: 'fail', score: 0, detail: `${faces.length} faces in the card photo area` };
  const score = (faces[0] as DetectedFace).score;
  return { name, verdict: verdictOf(score, band), score: round(score, 3), detail: `portrait found, detector confidence ${round(score, 3)}` };
}
