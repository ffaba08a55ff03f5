import type { InhouseEngine } from '../../adapters/inhouse';
import type { EngineMatch, EngineMatchAnswer } from '../../adapters/inhouse/schemas';
import { findCapture } from '../engine/captures-repo';
import { nikChecksumVote, type NikClaims } from '../engine/voters/nik-checksum';
import { isAppError } from '../errors/app-error';
import { listEnrollments } from '../faces/enrollments-repo';
import { scoreMatch } from '../faces/match-faces';
import { insertMatch, type FaceMatch } from '../faces/matches-repo';
import type { AppDeps, Caller } from '../deps';

/**
 * The engine as the `inhouse` adapter calls it (adapters/inhouse/client.ts), bound to one caller: the same
 * repositories and scoring that POST /v1/captures and POST /v1/matches use, in this process, on the
 * caller's org only. The engine's refusals (its 4xx errors) are answers; anything else rejects, and the
 * adapter reports the engine as unavailable.
 */
export function inhouseEngine(deps: AppDeps, caller: Caller): InhouseEngine {
  return {
    async findCapture(id) {
      const c = await findCapture(deps.db, caller.orgId, id, deps.now());
      return c && { id: c.id, customerId: c.customerId, kind: c.kind, antiSpoof: c.antiSpoof, tamper: c.tamper };
    },

    async matchFaces({ excludeProbeEnrollments, ...body }): Promise<EngineMatchAnswer> {
      let scored: Omit<FaceMatch, 'id'>;
      try {
        scored = await scoreMatch(deps, caller, body);
      } catch (err) {
        if (isAppError(err) && err.status < 500) return { refused: err.code, ...(err.options.param && { param: err.options.param }) };
        deps.logger.warn({ err: (err as Error).message, provider: 'inhouse' }, 'in-house engine failed to score a match');
        throw err;
      }
      if (excludeProbeEnrollments && body.captureBundleId) {
        const kept = await withoutProbeEnrollments(deps, caller, scored, body.captureBundleId);
        if (!kept) return { refused: 'no_active_enrollments', param: 'customerId' };
        scored = kept;
      }
      return { match: engineMatch(await insertMatch(deps.db, scored)) };
    },

    checkNik: (idNumber, birthDate) => nikChecksumVote(nikClaims(idNumber, birthDate, deps.now())),
  };
}

/**
 * The match without the references enrolled from the probe's own bundle (a selfie compared with itself),
 * its overall score recomputed as POST /v1/matches computes it (the best reference's); null when no
 * reference is left.
 */
async function withoutProbeEnrollments(
  deps: AppDeps,
  caller: Caller,
  scored: Omit<FaceMatch, 'id'>,
  probe: string,
): Promise<Omit<FaceMatch, 'id'> | null> {
  const pool = await listEnrollments(deps.db, { orgId: caller.orgId, customerId: scored.customerId, now: deps.now(), activeOnly: true });
  const own = new Set(pool.filter((e) => e.captureBundleId === probe).map((e) => e.id));
  if (own.size === 0) return scored;
  const perReference = scored.perReference.filter((r) => r.faceEnrollmentId === null || !own.has(r.faceEnrollmentId));
  if (perReference.length === 0) return null;
  const similarity = Math.max(...perReference.map((r) => r.similarity));
  return { ...scored, perReference, similarity, matched: similarity >= scored.threshold };
}

const engineMatch = (m: FaceMatch): EngineMatch => ({
  id: m.id,
  similarity: m.similarity,
  matched: m.matched,
  threshold: m.threshold,
  probe: { source: m.probeSource, captureBundleId: m.captureBundleId },
  perReference: m.perReference,
});

/**
 * identity_selfie states no sex and perhaps no birth date, which the nik_checksum voter compares the NIK
 * with. What the NIK itself encodes stands in for them (sex from the day field, the date from its digits
 * with the century that makes the person not yet born in the future), so the voter judges the NIK's
 * structure, and its agreement with the birth date when one is stated.
 */
export function nikClaims(nik: string, birthDate: string | undefined, now: Date): NikClaims {
  const rawDay = Number(nik.slice(6, 8));
  const sex = rawDay >= 41 ? 'female' : 'male';
  if (birthDate) return { nik, birthDate, sex };
  const yy = nik.slice(10, 12);
  const century = Number(yy) <= now.getUTCFullYear() % 100 ? 2000 : 1900;
  const day = String(rawDay >= 41 ? rawDay - 40 : rawDay).padStart(2, '0');
  return { nik, birthDate: `${century + Number(yy)}-${nik.slice(8, 10)}-${day}`, sex };
}
