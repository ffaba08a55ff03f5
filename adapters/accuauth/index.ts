import type { AdapterDeclaration, AdapterOutcome, CallContext } from '../types';
import { ACCUAUTH_PATHS, postAccuauth } from './client';
import { deliverReferencePhoto } from './reference-photo-sink';
import {
  idNameCheckOutcome,
  idNameOutcome,
  readIdSelfie,
  toIdNameBody,
  toIdSelfieBody,
  type IdNameCheckData,
  type IdNameData,
  type IdNameInput,
  type IdSelfieData,
  type IdSelfieInput,
} from './transform';

export type { IdNameCheckData, IdNameData, IdNameInput, IdSelfieData, IdSelfieInput } from './transform';
export { withReferencePhotoSink } from './reference-photo-sink';

/**
 * AccuAuth Indonesia: Dukcapil-backed NIK checks (providers.md 3). `id_name` answers a name check
 * with a verdict (result codes 01..04); `id_name_check` answers it with a 0..1 similarity score, so
 * both serve `name_check` and routing policy picks the flavour.
 */
export const accuauth: AdapterDeclaration = {
  id: 'accuauth',
  displayName: 'AccuAuth Indonesia',
  transport: 'http',
  credentials: ['apiId', 'apiSecret'],
  operations: {
    id_selfie: { endpoint: ACCUAUTH_PATHS.id_selfie, serves: 'identity_selfie' },
    id_name: { endpoint: ACCUAUTH_PATHS.id_name, serves: 'name_check' },
    id_name_check: { endpoint: ACCUAUTH_PATHS.id_name_check, serves: 'name_check' },
  },
};

/**
 * NIK + selfie (+ optional card photo, name, birth date) against the registry. Throws `invalid_request` for
 * an image over 50 KB, before any call. A reference photo in the answer goes to the caller's
 * withReferencePhotoSink scope only, never into the outcome.
 */
export async function verifyIdSelfie(ctx: CallContext, input: IdSelfieInput): Promise<AdapterOutcome<IdSelfieData>> {
  const body = toIdSelfieBody(input);
  const { outcome, referencePhoto } = readIdSelfie(await postAccuauth(ctx, 'id_selfie', body));
  if (referencePhoto !== undefined) deliverReferencePhoto(referencePhoto);
  return outcome;
}

/** NIK + name verdict (match / mismatch / not sure / failed). */
export async function verifyIdName(ctx: CallContext, input: IdNameInput): Promise<AdapterOutcome<IdNameData>> {
  return idNameOutcome(await postAccuauth(ctx, 'id_name', toIdNameBody(input)));
}

/** NIK + name similarity score. */
export async function checkIdName(ctx: CallContext, input: IdNameInput): Promise<AdapterOutcome<IdNameCheckData>> {
  return idNameCheckOutcome(await postAccuauth(ctx, 'id_name_check', toIdNameBody(input)));
}
