import type { CallContext } from '../types';
import type { EngineCapture, EngineMatchAnswer, EngineMatchRequest, EngineVote } from './schemas';

/** An engine call's answer, or why there is none: the in-process counterpart of an HTTP exchange. */
export type EngineExchange<T> = { answer: T; latencyMs: number } | { failure: 'engine_unavailable' | 'timeout'; latencyMs: number };

export const isEngineFailure = <T>(x: EngineExchange<T>): x is { failure: 'engine_unavailable' | 'timeout'; latencyMs: number } =>
  'failure' in x;

/** The engine's calls as exchanges: each under the call's deadline, a failure reported instead of thrown. */
export interface InhouseClient {
  findCapture(captureBundleId: string): Promise<EngineExchange<EngineCapture | null>>;
  matchFaces(request: EngineMatchRequest): Promise<EngineExchange<EngineMatchAnswer>>;
  checkNik(idNumber: string, birthDate?: string): EngineVote;
}

/**
 * Runs one engine call under the call's deadline. Engine work cannot be interrupted (a face being described
 * finishes in its worker), so past the deadline the answer is abandoned and reported as a timeout, like a
 * vendor that did not answer in time. An exception is the engine failing, never a verdict about the person.
 */
async function exchange<T>(ctx: CallContext, work: () => Promise<T>): Promise<EngineExchange<T>> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const deadline = ctx.signal ? AbortSignal.any([ctx.signal, AbortSignal.timeout(ctx.timeoutMs)]) : AbortSignal.timeout(ctx.timeoutMs);
  if (deadline.aborted) return { failure: 'timeout', latencyMs: 0 };
  let stop = () => {};
  const expired = new Promise<'timeout'>((resolve) => {
    stop = () => resolve('timeout');
    deadline.addEventListener('abort', stop, { once: true });
  });
  try {
    // Promise.race subscribes to `work`, so a rejection that arrives after the deadline is still handled.
    const outcome = await Promise.race([work().then((answer) => ({ answer })), expired]);
    return outcome === 'timeout' ? { failure: 'timeout', latencyMs: elapsed() } : { answer: outcome.answer, latencyMs: elapsed() };
  } catch {
    return { failure: 'engine_unavailable', latencyMs: elapsed() };
  } finally {
    deadline.removeEventListener('abort', stop);
  }
}

export function inhouseClient(ctx: CallContext): InhouseClient {
  const engine = ctx.engine;
  // A wiring fault of ours, not an answer of the engine: the gateway binds the engine for every verification.
  if (!engine) throw new Error('inhouse: the call context carries no engine');
  return {
    findCapture: (id) => exchange(ctx, () => engine.findCapture(id)),
    matchFaces: (request) => exchange(ctx, () => engine.matchFaces(request)),
    checkNik: (idNumber, birthDate) => engine.checkNik(idNumber, birthDate),
  };
}
