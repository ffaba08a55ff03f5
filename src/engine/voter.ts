/** One voter's opinion on a capture (seed 000's `antiSpoof.voters[]` and `tamper.voters[]`). */
export interface Vote {
  name: string;
  verdict: 'pass' | 'fail' | 'uncertain';
  /** The voter's measurement, rounded; what it means is in `detail` and config/engine.json. */
  score: number;
  detail: string;
}

export interface ScoreBand {
  pass: number;
  fail: number;
}

/**
 * The verdict of a score against a band. When `pass` > `fail` higher is better; otherwise lower is
 * better. Scores strictly between the two are uncertain.
 */
export function verdictOf(score: number, band: ScoreBand): Vote['verdict'] {
  const higherIsBetter = band.pass > band.fail;
  if (higherIsBetter ? score >= band.pass : score <= band.pass) return 'pass';
  if (higherIsBetter ? score <= band.fail : score >= band.fail) return 'fail';
  return 'uncertain';
}

export const round = (x: number, digits = 4): number => (Number.isFinite(x) ? Number(x.toFixed(digits)) : 0);

/** Any fail wins, then any uncertain; all passes pass. */
export function fuse(votes: readonly Vote[]): Vote['verdict'] {
  if (votes.some((v) => v.verdict === 'fail')) return 'fail';
  if (votes.some((v) => v.verdict === 'uncertain')) return 'uncertain';
  return 'pass';
}
