import type { EngineCapture, EngineMatchAnswer, EngineMatchRequest, EngineVote } from './schemas';

/**
 * The in-house engine as this adapter reaches it: the gateway hands it over, bound to the calling org and
 * key, in the call context (CallContext.engine) instead of a base URL and credentials. Sandbox and live
 * keys reach the same engine, each on its own org's data, so the provider needs no credentials and is
 * never "not configured". src/gateway/inhouse-engine.ts implements it over the engine's repositories.
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
