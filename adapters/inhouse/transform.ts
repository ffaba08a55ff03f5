import { compact } from '../http';
import type { AdapterOutcome, UpstreamFacts } from '../types';
import { isEngineFailure, type EngineExchange } from './client';
import type { EngineCapture, EngineMatch, EngineMatchAnswer, EngineVote } from './schemas';

/**
 * Pure translations of the engine's answers into facts for config/error-map/inhouse.json. The engine's
 * outcomes are reported as upstream `code`s of the `inhouse` vendor, in the engine's own words where it
 * has them: the fused verdicts (`live`, `spoof`, `uncertain`), the error codes POST /v1/matches answers
 * (`capture_bundle_not_found`, `no_active_enrollments`, `face_not_found`, ...), and a few of this adapter's
 * (`tamper_pass`, `tamper_fail`, `tamper_uncertain`, `matched`, `not_matched`, `nik_invalid`,
 * `wrong_capture_kind`, `engine_unavailable`). What each means for the verification is the table's call.
 */

// ---------------------------------------------------------------------------------------------------
// Normalised data the adapter returns.
// ---------------------------------------------------------------------------------------------------

export interface InhouseLivenessData {
  captureBundleId: string;
  antiSpoof: EngineCapture['antiSpoof'];
}

export interface InhouseDocumentData {
  captureBundleId: string;
  /** The card's own liveness: a KTP shown on a screen or a print fails here. */
  antiSpoof: EngineCapture['antiSpoof'];
  tamper: NonNullable<EngineCapture['tamper']>;
}

export interface InhouseFaceMatchData {
  /** The stored match: GET /v1/matches/:id reads it. */
  matchId: string;
  similarity: number;
  matched: boolean;
  threshold: number;
  probe: EngineMatch['probe'];
  perReference: EngineMatch['perReference'];
}

/** Why the engine declined to match, when the table makes that a result (no face found): the field at fault. */
export interface InhouseRefusalData {
  param?: string;
}

export interface InhouseIdentityData {
  /** Always false: no registry confirmed that this NIK belongs to this face. */
  registry: false;
  /** The NIK's structure (and agreement with the stated birth date); the NIK itself is never repeated. */
  nik: { verdict: EngineVote['verdict']; detail: string };
  captureBundleId: string;
  antiSpoof?: EngineCapture['antiSpoof'];
  match?: InhouseFaceMatchData;
}

// ---------------------------------------------------------------------------------------------------
// Codes.
// ---------------------------------------------------------------------------------------------------

const isRefusal = (code: string) => code === 'capture_bundle_not_found' || code === 'wrong_capture_kind';

const failureFacts = (failure: 'engine_unavailable' | 'timeout'): UpstreamFacts =>
  failure === 'timeout' ? { transport: 'timeout' } : { code: 'engine_unavailable' };

/**
 * Whether a bundle can serve a check that needs `kind`: an unknown bundle and another customer's are both
 * `capture_bundle_not_found` (seed 000 answers both with 404), the other kind is `wrong_capture_kind`.
 */
function refusalOf(capture: EngineCapture | null, customerId: string, kind: EngineCapture['kind']): string | null {
  if (!capture || capture.customerId !== customerId) return 'capture_bundle_not_found';
  return capture.kind === kind ? null : 'wrong_capture_kind';
}

/** A selfie bundle's code: a refusal, or its fused anti-spoof verdict as the engine stored it. */
export function selfieCode(capture: EngineCapture | null, customerId: string): string {
  return refusalOf(capture, customerId, 'selfie') ?? (capture as EngineCapture).antiSpoof.fused;
}

/**
 * A KTP bundle's code. A card that fails anti-spoof (replayed on a screen) is `spoof` whatever its tamper
 * voters say; otherwise its tamper verdict (`tamper_pass`, `tamper_fail`, `tamper_uncertain`), where an
 * uncertain anti-spoof makes a pass uncertain: the same fusion that sets the bundle's own status.
 */
export function ktpCode(capture: EngineCapture | null, customerId: string): string {
  const refusal = refusalOf(capture, customerId, 'ktp');
  if (refusal) return refusal;
  const { antiSpoof, tamper } = capture as EngineCapture;
  if (antiSpoof.fused === 'spoof') return 'spoof';
  // A KTP bundle always carries tamper verdicts; without them the answer is one the table does not know.
  if (!tamper) return 'tamper_missing';
  if (tamper.fused === 'pass' && antiSpoof.fused === 'uncertain') return 'tamper_uncertain';
  return `tamper_${tamper.fused}`;
}

const matchData = (m: EngineMatch): InhouseFaceMatchData => ({
  matchId: m.id,
  similarity: m.similarity,
  matched: m.matched,
  threshold: m.threshold,
  probe: m.probe,
  perReference: m.perReference,
});

/** A match's code (`matched`, `not_matched`, or the engine's refusal), its request id and data. */
function matchOutcome(answer: EngineMatchAnswer): { facts: UpstreamFacts; data: InhouseFaceMatchData | InhouseRefusalData } {
  if ('refused' in answer) return { facts: { code: answer.refused }, data: compact({ param: answer.param }) };
  return { facts: { code: answer.match.matched ? 'matched' : 'not_matched', requestId: answer.match.id }, data: matchData(answer.match) };
}

// ---------------------------------------------------------------------------------------------------
// Engine answers -> facts (+ data).
// ---------------------------------------------------------------------------------------------------

/** `liveness`: the verdict the selfie bundle got when it was captured. The bundle id is the ledger's request id. */
export function fromLiveness(
  x: EngineExchange<EngineCapture | null>,
  captureBundleId: string,
  customerId: string,
): AdapterOutcome<InhouseLivenessData> {
  const facts = { requestId: captureBundleId };
  if (isEngineFailure(x)) return { facts: { ...facts, ...failureFacts(x.failure) }, latencyMs: x.latencyMs };
  const code = selfieCode(x.answer, customerId);
  if (!x.answer || isRefusal(code)) return { facts: { ...facts, code }, latencyMs: x.latencyMs };
  return { facts: { ...facts, code }, data: { captureBundleId, antiSpoof: x.answer.antiSpoof }, latencyMs: x.latencyMs };
}

/** `document`: the tamper (and card anti-spoof) verdicts the KTP bundle got when it was captured. */
export function fromDocument(
  x: EngineExchange<EngineCapture | null>,
  captureBundleId: string,
  customerId: string,
): AdapterOutcome<InhouseDocumentData> {
  const facts = { requestId: captureBundleId };
  if (isEngineFailure(x)) return { facts: { ...facts, ...failureFacts(x.failure) }, latencyMs: x.latencyMs };
  const code = ktpCode(x.answer, customerId);
  if (!x.answer?.tamper || isRefusal(code)) return { facts: { ...facts, code }, latencyMs: x.latencyMs };
  return {
    facts: { ...facts, code },
    data: { captureBundleId, antiSpoof: x.answer.antiSpoof, tamper: x.answer.tamper },
    latencyMs: x.latencyMs,
  };
}

/** `face_match`: the stored match (its id is the ledger's request id), or the engine's refusal. */
export function fromFaceMatch(x: EngineExchange<EngineMatchAnswer>): AdapterOutcome<InhouseFaceMatchData | InhouseRefusalData> {
  if (isEngineFailure(x)) return { facts: failureFacts(x.failure), latencyMs: x.latencyMs };
  return { ...matchOutcome(x.answer), latencyMs: x.latencyMs };
}

/**
 * The steps of the registry-less identity check, in the order they run: the NIK's structure; if it holds,
 * the selfie bundle; if the selfie is live, its face against the customer's own enrollments.
 */
export type IdentitySteps =
  | { nik: EngineVote & { verdict: 'fail' } }
  | { nik: EngineVote; capture: EngineExchange<EngineCapture | null> }
  | { nik: EngineVote; capture: EngineExchange<EngineCapture | null>; match: EngineExchange<EngineMatchAnswer> };

/** `identity_selfie` without a registry: the answer is the first step that stopped the check, or the match. */
export function fromIdentity(steps: IdentitySteps, captureBundleId: string, customerId: string): AdapterOutcome<InhouseIdentityData> {
  const capture = 'capture' in steps ? steps.capture : undefined;
  const match = 'match' in steps ? steps.match : undefined;
  const data: InhouseIdentityData = { registry: false, nik: { verdict: steps.nik.verdict, detail: steps.nik.detail }, captureBundleId };
  const done = (facts: UpstreamFacts): AdapterOutcome<InhouseIdentityData> => ({
    facts: { requestId: captureBundleId, ...facts },
    data,
    latencyMs: (capture?.latencyMs ?? 0) + (match?.latencyMs ?? 0),
  });

  if (!capture) return done({ code: 'nik_invalid' });
  if (isEngineFailure(capture)) return done(failureFacts(capture.failure));
  const code = selfieCode(capture.answer, customerId);
  if (capture.answer && !isRefusal(code)) data.antiSpoof = capture.answer.antiSpoof;
  if (!match) return done({ code });
  if (isEngineFailure(match)) return done(failureFacts(match.failure));
  const outcome = matchOutcome(match.answer);
  if ('matchId' in outcome.data) data.match = outcome.data;
  return done(outcome.facts);
}
