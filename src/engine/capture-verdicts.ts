import type { AnalysisResult } from './analyse-frames';
import type { CaptureKind } from './challenges-repo';
import type { CaptureStatus, Verdicts } from './captures-repo';
import type { EngineConfig } from './engine-config';
import { nikChecksumVote, type NikClaims } from './voters/nik-checksum';
import { nikOnCardVote } from './voters/nik-on-card';
import { portraitMatchesSelfieVote } from './voters/portrait-matches-selfie';
import { fuse, type Vote } from './voter';

export interface CaptureEvidence {
  kind: CaptureKind;
  analysis: Extract<AnalysisResult, { ok: true }>;
  /** KTP: the NIK, birth date and sex the client states it read from the card. */
  claims?: NikClaims;
  /** KTP: the face of the customer's latest passed selfie, when there is one. */
  selfieFace?: Float32Array | null;
  thresholds: EngineConfig['thresholds'];
}

/**
 * The fused verdicts of one capture and the status they give it: a spoof fails it, then a tamper; an
 * uncertain fusion sends it to review. One place, so the API and the benches judge captures alike.
 */
export function captureVerdicts(e: CaptureEvidence): { antiSpoof: Verdicts; tamper: Verdicts | null; status: CaptureStatus } {
  const antiSpoof: Verdicts = {
    fused: ({ pass: 'live', fail: 'spoof', uncertain: 'uncertain' } as const)[fuse(e.analysis.antiSpoof)],
    voters: e.analysis.antiSpoof,
  };
  let tamper: Verdicts | null = null;
  if (e.kind === 'ktp') {
    const claims = e.claims ?? { nik: '', birthDate: '', sex: 'male' as const };
    const votes: Vote[] = [nikChecksumVote(claims), nikOnCardVote(e.analysis.card ?? null, claims), ...e.analysis.tamper];
    if (e.selfieFace) votes.push(portraitMatchesSelfieVote(e.analysis.face?.descriptor ?? null, e.selfieFace, e.thresholds.portraitMatchesSelfie));
    tamper = { fused: fuse(votes), voters: votes };
  }
  const spoof = antiSpoof.fused === 'spoof';
  const tampered = !spoof && tamper?.fused === 'fail';
  const uncertain = antiSpoof.fused === 'uncertain' || tamper?.fused === 'uncertain';
  return { antiSpoof, tamper, status: spoof || tampered ? 'failed' : uncertain ? 'requires_review' : 'passed' };
}
