import type { Attempt, CodedSkip } from './attempt';
import type { Candidate } from './routing';

export type CandidateOutcome = { tried: false; skip: CodedSkip } | { tried: true; attempt: Attempt };

export interface FailoverPolicy {
  /** May the next candidate be tried after an attempt whose charge is unknown? */
  allowFailoverAfterUnknown: boolean;
}

export interface ChainOutcome {
  attempts: Attempt[];
  skipped: CodedSkip[];
  /** The attempt whose verdict the verification carries, when any provider gave one. */
  answer?: Attempt;
}

/**
 * May the chain go on after this attempt? DESIGN 5, decided by the table row alone: a final answer
 * stops; a charged attempt stops (at most one charged attempt per verification); otherwise only a row
 * inviting failover goes on, and after an unknown charge only where the policy allows it.
 */
export function mayFailOver(attempt: Attempt, policy: FailoverPolicy): boolean {
  if (attempt.final || attempt.charged === 'charged' || !attempt.failover) return false;
  return attempt.charged === 'free' || policy.allowFailoverAfterUnknown;
}

/**
 * Tries the candidates in order until one answers for good. `fallbackOnly` says which operations only stand
 * in where nobody answered (the engine's registry-less identity_selfie, Operation.fallbackOnly). A result that invites failover (AccuAuth's
 * free "not found") is kept as the answer should nobody after it do better; a fallback-only candidate is
 * then skipped (`answered_before`), since its degraded answer would only replace a real one. `previous`
 * are the attempts an interrupted run already recorded: the chain goes on from them as if it had never stopped.
 */
export async function runChain(
  candidates: Candidate[],
  tryCandidate: (c: Candidate) => Promise<CandidateOutcome>,
  policy: FailoverPolicy,
  previous: Attempt[] = [],
  fallbackOnly: (c: Candidate) => boolean = () => false,
): Promise<ChainOutcome> {
  const outcome: ChainOutcome = { attempts: [], skipped: [] };
  const take = (attempt: Attempt) => {
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
