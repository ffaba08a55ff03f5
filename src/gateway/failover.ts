import type { Attempt, Skip } from '../verifications/verifications-repo';
import { ADAPTERS } from './capabilities';
import type { Candidate } from './routing';

/** An attempt as the mapping table classified it (its charge, final and failover axes), with the adapter's data. */
export type ClassifiedAttempt = Attempt;

export type CandidateOutcome = { tried: false; skip: Skip & { suiteCode: string } } | { tried: true; attempt: ClassifiedAttempt };

export interface FailoverPolicy {
  /** May the next candidate be tried after an attempt whose charge is unknown? */
  allowFailoverAfterUnknown: boolean;
}

export interface ChainOutcome {
  attempts: ClassifiedAttempt[];
  skipped: (Skip & { suiteCode: string })[];
  /** The attempt whose verdict the verification carries, when any provider gave one. */
  answer?: ClassifiedAttempt;
}

/**
 * May the chain go on after this attempt? DESIGN 5, decided by the table row alone: a final answer
 * stops; a charged attempt stops (at most one charged attempt per verification); otherwise only a row
 * inviting failover goes on, and after an unknown charge only where the policy allows it.
 */
export function mayFailOver(attempt: ClassifiedAttempt, policy: FailoverPolicy): boolean {
  if (attempt.final || attempt.charged === 'charged' || !attempt.failover) return false;
  return attempt.charged === 'free' || policy.allowFailoverAfterUnknown;
}

/** A fallback-only operation (the engine's registry-less identity_selfie) stands in only where nobody answered. */
const fallbackOnly = (c: Candidate) => ADAPTERS[c.provider]?.operations[c.operation]?.fallbackOnly === true;

/**
 * Tries the candidates in order until one answers for good. A result that invites failover (AccuAuth's
 * free "not found") is kept as the answer should nobody after it do better; a fallback-only candidate is
 * then skipped (`answered_before`), since its degraded answer would only replace a real one. `previous`
 * are the attempts an interrupted run already recorded: the chain goes on from them as if it had never stopped.
 */
export async function runChain(
  candidates: Candidate[],
  tryCandidate: (c: Candidate) => Promise<CandidateOutcome>,
  policy: FailoverPolicy,
  previous: ClassifiedAttempt[] = [],
): Promise<ChainOutcome> {
  const outcome: ChainOutcome = { attempts: [], skipped: [] };
  const take = (attempt: ClassifiedAttempt) => {
    outcome.attempts.push(attempt);
    if (attempt.kind === 'result') outcome.answer = attempt;
    return mayFailOver(attempt, policy);
  };
  for (const attempt of previous) if (!take(attempt)) return outcome;
  const tried = new Set(previous.map((a) => a.provider));
  for (const candidate of candidates.filter((c) => !tried.has(c.provider))) {
    if (outcome.answer && fallbackOnly(candidate)) {
      outcome.skipped.push({ provider: candidate.provider, reason: 'answered_before', suiteCode: outcome.answer.suiteCode });
      continue;
    }
    const result = await tryCandidate(candidate);
    if (!result.tried) outcome.skipped.push(result.skip);
    else if (!take(result.attempt)) break;
  }
  return outcome;
}
