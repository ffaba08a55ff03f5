import { operation } from '../declare';
import type { AdapterDeclaration, AdapterOutcome, CallContext } from '../types';
import { inhouseClient, isEngineFailure } from './client';
import { InhouseCaptureInput, InhouseFaceMatchInput, InhouseIdentitySelfie, type InhouseIdentitySelfieInput } from './schemas';
import {
  fromDocument,
  fromFaceMatch,
  fromIdentity,
  fromLiveness,
  selfieCode,
  type InhouseDocumentData,
  type InhouseFaceMatchData,
  type InhouseIdentityData,
  type InhouseLivenessData,
  type InhouseRefusalData,
} from './transform';

export { inhouseClient } from './client';
export type { InhouseEngine } from './engine';

export async function verifyFlashLiveness(
  ctx: CallContext,
  input: InhouseCaptureInput,
  customerId: string,
): Promise<AdapterOutcome<InhouseLivenessData>> {
  return fromLiveness(await inhouseClient(ctx).findCapture(input.captureBundleId), input.captureBundleId, customerId);
}

export async function verifyKtpTamper(
  ctx: CallContext,
  input: InhouseCaptureInput,
  customerId: string,
): Promise<AdapterOutcome<InhouseDocumentData>> {
  return fromDocument(await inhouseClient(ctx).findCapture(input.captureBundleId), input.captureBundleId, customerId);
}

export async function matchFaces(
  ctx: CallContext,
  input: InhouseFaceMatchInput,
  customerId: string,
): Promise<AdapterOutcome<InhouseFaceMatchData | InhouseRefusalData>> {
  return fromFaceMatch(await inhouseClient(ctx).matchFaces({ ...input, customerId }));
}

/**
 * identity_selfie without a registry, step by step (each step only when the previous allows it): the NIK's
 * structure, then the selfie bundle's liveness, then its face against the customer's own enrollments
 * (a KTP portrait enrolled as `ktp_extract`, say), leaving out enrollments made from this very bundle.
 * Nothing here confirms that the NIK belongs to the person: the table maps a match to `requires_review`.
 */
export async function verifyRegistrylessSelfie(
  ctx: CallContext,
  input: InhouseIdentitySelfieInput,
  customerId: string,
): Promise<AdapterOutcome<InhouseIdentityData>> {
  const client = inhouseClient(ctx);
  const { captureBundleId } = input;
  const nik = client.checkNik(input.idNumber, input.birthDate);
  if (nik.verdict === 'fail') return fromIdentity({ nik: { ...nik, verdict: 'fail' } }, captureBundleId, customerId);
  const capture = await client.findCapture(captureBundleId);
  if (isEngineFailure(capture) || selfieCode(capture.answer, customerId) !== 'live') {
    return fromIdentity({ nik, capture }, captureBundleId, customerId);
  }
  const match = await client.matchFaces({ customerId, captureBundleId, excludeProbeEnrollments: true });
  return fromIdentity({ nik, capture, match }, captureBundleId, customerId);
}

/**
 * Our own engine (DESIGN 9) declared like any vendor, so /v1/verifications routes to it, its answers go
 * through its own rows of the mapping table (config/error-map/inhouse.json, every row free) and each call
 * is booked on the ledger at price 0. It is reached in process (`transport: 'in_process'`, see engine.ts),
 * which is also why it has no simulator: a simulator stands in for a vendor behind sandbox keys, but there
 * is no vendor here, and sandbox keys reach the real engine on the org's own test data.
 *
 * Operations read what the engine already decided (a bundle's verdicts were fused when it was captured)
 * or ask it to score a match, which is stored like one from POST /v1/matches.
 */
export const inhouse: AdapterDeclaration = {
  id: 'inhouse',
  displayName: 'In-house engine',
  transport: 'in_process',
  credentials: [],
  reach: { timeoutMs: 10000 },
  operations: {
    flash_liveness: operation({
      endpoint: 'selfie capture bundle verdict (POST /v1/captures, kind selfie)',
      serves: 'liveness',
      input: InhouseCaptureInput,
      call: (ctx, input, meta) => verifyFlashLiveness(ctx, input, meta.customerId),
    }),
    ktp_tamper: operation({
      endpoint: 'KTP capture bundle tamper verdict (POST /v1/captures, kind ktp)',
      serves: 'document',
      input: InhouseCaptureInput,
      call: (ctx, input, meta) => verifyKtpTamper(ctx, input, meta.customerId),
    }),
    face_match: operation({
      endpoint: 'face match, as POST /v1/matches',
      serves: 'face_match',
      input: InhouseFaceMatchInput,
      call: (ctx, input, meta) => matchFaces(ctx, input, meta.customerId),
    }),
    registryless_selfie: operation({
      endpoint: 'NIK structure + selfie bundle liveness + match against own enrollments; no registry',
      serves: 'identity_selfie',
      input: InhouseIdentitySelfie,
      call: (ctx, input, meta) => verifyRegistrylessSelfie(ctx, input, meta.customerId),
      // It stands in for a registry that is down; it must not overrule one that answered (AccuAuth's "not found").
      fallbackOnly: true,
      // Nothing confirms that the NIK belongs to the face: a match is never KYC registry evidence.
      registryless: true,
    }),
  },
};
