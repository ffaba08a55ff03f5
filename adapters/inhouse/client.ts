import type { CallContext } from '../types';
import type { EngineCapture, EngineMatchAnswer, EngineMatchRequest, EngineVote } from './schemas';

/**
 * The transport of the in-house provider. There is no remote vendor: the engine runs in this process, and
 * the gateway hands the adapter an object bound to the calling org and key (CallContext.engine) instead of
 * a base URL and credentials. Sandbox and live keys reach the same engine, each on its own org's data, so
 * the provider needs no credentials and is never "not configured".
 */
export interface InhouseEngine {
  /** One of the org's capture bundles within retention; null when unknown, another org's, or swept. */
  findCapture(captureBundleId: string): Promise<EngineCapture | null>;
  /**
   * Scores a face match as POST /v1/matches does and stores it. The engine's refusals (unknown bundle, no
   * enrollments, no face, ...) come back as answers; a failure of the engine itself (its worker pool, its
   * database) rejects.
   */
  matchFaces(request: EngineMatchRequest): Promise<EngineMatchAnswer>;
  /** The nik_checksum voter on an NIK and the birth date stated with it, if any. */
  checkNik(idNumber: string, birthDate?: string): EngineVote;
}

/** An engine call's answer, or why there is none: the in-process counterpart of an HTTP exchange. */
export type EngineExchange<T> = { answer: T; latencyMs: number } | { failure: 'engine_unavailable' | 'timeout'; latencyMs: number };

export const isEngineFailure = <T>(x: EngineExchange<T>): x is { failure: 'engine_unavailable' | 'timeout'; latencyMs: number } =>
  'failure' in x;

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
