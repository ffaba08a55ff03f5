import type { AdapterDeclaration, AdapterOutcome, CallContext } from '../types';
import { ACCUAUTH_PATHS, postAccuauth } from './client';
import {
  idNameCheckOutcome,
  idNameOutcome,
  idSelfieOutcome,
  toIdNameBody,
  toIdSelfieBody,
  type IdNameCheckData,
  type IdNameData,
  type IdNameInput,
  type IdSelfieData,
  type IdSelfieInput,
} from './transform';

export type { IdNameCheckData, IdNameData, IdNameInput, IdSelfieData, IdSelfieInput } from './transform';

/**
 * AccuAuth Indonesia: Dukcapil-backed NIK checks (providers.md 3). `id_name` answers a name check
 * with a verdict (result codes 01..04); `id_name_check` answers it with a 0..1 similarity score, so
 * both serve `name_check` and routing policy picks the flavour.
 */
export const accuauth: AdapterDeclaration = {
  id: 'accuauth',
  displayName: 'AccuAuth Indonesia',
  credentials: ['apiId', 'apiSecret'],
  operations: {
    id_selfie: { endpoint: ACCUAUTH_PATHS.id_selfie, serves: 'identity_selfie' },
    id_name: { endpoint: ACCUAUTH_PATHS.id_name, serves: 'name_check' },
    id_name_check: { endpoint: ACCUAUTH_PATHS.id_name_check, serves: 'name_check' },
  },
};

/** NIK + selfie (+ optional card photo, name, birth date) against the registry. Throws `invalid_request` for an image over 50 KB, before any call. */
export async function verifyIdSelfie(ctx: CallContext, input: IdSelfieInput): Promise<AdapterOutcome<IdSelfieData>> {
  const body = toIdSelfieBody(input);
  return idSelfieOutcome(await postAccuauth(ctx, 'id_selfie', body));
}

/** NIK + name verdict (match / mismatch / not sure / failed). */
export async function verifyIdName(ctx: CallContext, input: IdNameInput): Promise<AdapterOutcome<IdNameData>> {
  return idNameOutcome(await postAccuauth(ctx, 'id_name', toIdNameBody(input)));
}

/** NIK + name similarity score. */
export async function checkIdName(ctx: CallContext, input: IdNameInput): Promise<AdapterOutcome<IdNameCheckData>> {
  return idNameCheckOutcome(await postAccuauth(ctx, 'id_name_check', toIdNameBody(input)));
}
