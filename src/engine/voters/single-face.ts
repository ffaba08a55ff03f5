import type { DetectedFace } from '../face-analysis/face-model';
import type { Region } from '../pixels';
import { round, verdictOf, type ScoreBand, type Vote } from '../voter';

/**
 * Is there exactly one face, and is it where the capture guide put it? No face means the flash was
 * measured on something else; a second face means someone else is in shot (or a photo is held up beside
 * the subject). The score is the detector's confidence in the one face.
 */
export function singleFaceVote(faces: readonly DetectedFace[], frame: { width: number; height: number }, guide: Region, band: ScoreBand): Vote {
  const name = 'single_face';
  if (faces.length === 0) return { name, verdict: 'fail', score: 0, detail: 'no face found in the frame' };
  if (faces.length > 1) {
    return { name, verdict: 'fail', score: round((faces[1] as DetectedFace).score, 3), detail: `${faces.length} faces found; exactly one is expected` };
  }
  const face = faces[0] as DetectedFace;
  const cx = (face.box.x + face.box.width / 2) / frame.width;
  const cy = (face.box.y + face.box.height / 2) / frame.height;
  if (cx < guide.x0 || cx > guide.x1 || cy < guide.y0 || cy > guide.y1) {
    return { name, verdict: 'uncertain', score: round(face.score, 3), detail: 'the face is outside the capture guide, where the flash response is measured' };
  }
  return { name, verdict: verdictOf(face.score, band), score: round(face.score, 3), detail: `one face, detector confidence ${round(face.score, 3)}` };
}
