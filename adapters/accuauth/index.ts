import { IdentitySelfieInput, NameCheckInput } from '../check-inputs';
import { operation } from '../declare';
import type { AdapterDeclaration, AdapterOutcome, CallContext } from '../types';
import { ACCUAUTH_PATHS, postAccuauth } from './client';
import { deliverReferencePhoto } from './reference-photo-sink';
import { ACCUAUTH_SANDBOX, startAccuauthSimulator } from './simulator';
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

/**
 * AccuAuth Indonesia: Dukcapil-backed NIK checks (providers.md 3). `id_name` answers a name check
 * with a verdict (result codes 01..04); `id_name_check` answers it with a 0..1 similarity score, so
 * both serve `name_check` and the first declared is the one routed to. Prices are indicative list prices.
 */
export const accuauth: AdapterDeclaration = {
  id: 'accuauth',
  displayName: 'AccuAuth Indonesia',
  transport: 'http',
  credentials: ['apiId', 'apiSecret'],
  reach: {
    timeoutMs: 8000,
    live: { baseUrl: 'https://cloudapi.indonesia.accuauth.com', credentialEnv: { apiId: 'ACCUAUTH_API_ID', apiSecret: 'ACCUAUTH_API_SECRET' } },
    sandbox: { port: 7101, credentials: ACCUAUTH_SANDBOX.credentials },
  },
  simulator: startAccuauthSimulator,
  operations: {
    id_selfie: operation({
      endpoint: ACCUAUTH_PATHS.id_selfie,
      serves: 'identity_selfie',
      input: IdentitySelfieInput,
      call: (ctx, input) => verifyIdSelfie(ctx, input),
      listPrice: 3500,
    }),
    id_name: operation({
      endpoint: ACCUAUTH_PATHS.id_name,
      serves: 'name_check',
      input: NameCheckInput,
      call: (ctx, input) => verifyIdName(ctx, input),
      listPrice: 1500,
    }),
    id_name_check: operation({
      endpoint: ACCUAUTH_PATHS.id_name_check,
      serves: 'name_check',
      input: NameCheckInput,
      call: (ctx, input) => checkIdName(ctx, input),
      listPrice: 1500,
    }),
  },
};
