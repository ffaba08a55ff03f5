import type { Check, Flow, ProviderId } from '../../adapters/types';
import type { Registry } from './registry';
import type { Attempt } from './attempt';
import type { CandidateOutcome, ChainOutcome } from './failover';
import type { Candidate } from './routing';

/** The flow that serves the check at this provider, when its operation is a multi-step flow (adapters/declare.ts `flow`). */
export function flowServing(registry: Registry, check: Check, provider: ProviderId | null | undefined): Flow | undefined {
  const operation = provider ? registry.operationFor(provider, check) : undefined;
  return operation && provider ? registry.operation(provider, operation)?.flow : undefined;
}

/** How the gateway makes one step of a flow: the candidate's operation with the step's input, written ahead and booked. */
export type StepCall = (step: Candidate, input: unknown) => Promise<CandidateOutcome>;

/** What a step's answer does to its flow. */
type StepEffect = 'goes_on' | 'waits' | 'ends';

/**
 * Walks a vendor's multi-step flow for one verification (Lapis' eKYC request). Each step is a call of its own,
 * written ahead, classified by its mapping-table row and booked, so every billed step is on the ledger. A step
 * whose verdict is `passed` or `pending` is done and the flow goes on; a `pending` verdict of a step the flow
 * waits on (`flow.waits`: the person has not validated yet) ends this run with that verdict as the
 * verification's for now (src/verifications/flow-waits.ts asks again later); any other verdict ends the flow with it (a face mismatch fails the
 * verification), an error or a skip without one.
 *
 * `previous` are the steps earlier runs recorded: the flow goes on after them and never makes a step again,
 * except a read (`flow.repeatable`) a dead worker left in flight and a step that answered "wait". `provider`
 * undefined only tells the recorded steps again (nothing more is called). A flow does not fail over: its
 * steps use ids the vendor issued (a document id, a request id) that no other provider knows.
 */
export async function runFlow(
  flow: Flow,
  provider: ProviderId | undefined,
  input: unknown,
  previous: readonly Attempt[],
  call: StepCall,
  statusOf: (attempt: Attempt) => string | undefined,
): Promise<ChainOutcome> {
  const outcome: ChainOutcome = { attempts: [], skipped: [] };
  const done = new Map<string, unknown>();
  const effectOf = (a: Attempt): StepEffect => {
    const status = a.kind === 'result' ? statusOf(a) : undefined;
    if (status === 'pending' && flow.waits.includes(a.operation)) return 'waits';
    return status === 'passed' || status === 'pending' ? 'goes_on' : 'ends';
  };
  /** Ends this run after `last`: a verdict is the answer, with the flow's result built from every step's data. */
  const end = (last: Attempt | undefined, waiting = false): ChainOutcome => {
    // A wait's answer tells what the step found so far (Lapis' request id), though the step is made again.
    const known = waiting && last ? new Map(done).set(last.operation, last.data) : done;
    if (last?.kind === 'result') outcome.answer = { ...last, data: flow.result(known) };
    return outcome;
  };

  let waitedOn: Attempt | undefined;
  for (const attempt of previous) {
    outcome.attempts.push(attempt);
    const interrupted = attempt.upstream.transport === 'interrupted';
    if (interrupted && flow.repeatable.includes(attempt.operation)) continue; // made again
    const effect = effectOf(attempt);
    if (effect === 'waits') {
      waitedOn = attempt; // asked again, unless nothing more is called
      continue;
    }
    waitedOn = undefined;
    if (attempt.kind === 'result') done.set(attempt.operation, attempt.data);
    if (effect === 'ends') return end(attempt);
  }
  if (!provider) {
    // Nothing more is called: a finished flow tells its verdict again, a waiting one its wait; an unfinished one has none.
    if (flow.complete(done)) return end(outcome.attempts.at(-1));
    return waitedOn ? end(waitedOn, true) : outcome;
  }

  for (let step = flow.next(input, done); step; step = flow.next(input, done)) {
    const result = await call({ provider, operation: step.operation }, step.input);
    if (!result.tried) {
      outcome.skipped.push(result.skip);
      return outcome;
    }
    const attempt = result.attempt;
    outcome.attempts.push(attempt);
    const effect = effectOf(attempt);
    if (effect === 'waits') return end(attempt, true);
    if (attempt.kind === 'result') done.set(attempt.operation, attempt.data);
    if (effect === 'ends') return end(attempt);
  }
  return end(outcome.attempts.at(-1));
}
