import { checkIdName, verifyIdName, verifyIdSelfie } from '../../adapters/accuauth';
import { createToken } from '../../adapters/idenfy';
import { matchFaces, verifyFlashLiveness, verifyKtpTamper, verifyRegistrylessSelfie } from '../../adapters/inhouse';
import { authenticateFace, uploadDocument, verifyLiveliness } from '../../adapters/lapis';
import type { AdapterOutcome, CallContext } from '../../adapters/types';
import type { ProviderInput } from './check-inputs';
import type { VendorId } from './providers';

/** What an operation knows besides the check's input. */
export interface OperationMeta {
  customerId: string;
  verificationId: string;
  now: Date;
}

type Invoke = (ctx: CallContext, input: unknown, meta: OperationMeta) => Promise<AdapterOutcome>;

/**
 * The adapter function behind each routable (provider, operation). The capability matrix only routes a
 * check to an operation that declares it serves that check, and the input was parsed with that provider's
 * own schema for the check (check-inputs.ts) just before the call, so each cast below names that schema.
 */
export const OPERATIONS: Record<VendorId, Record<string, Invoke>> = {
  accuauth: {
    id_selfie: (ctx, input) => verifyIdSelfie(ctx, input as ProviderInput<'identity_selfie', 'accuauth'>),
    id_name: (ctx, input) => verifyIdName(ctx, input as ProviderInput<'name_check', 'accuauth'>),
    id_name_check: (ctx, input) => checkIdName(ctx, input as ProviderInput<'name_check', 'accuauth'>),
  },
  idenfy: {
    token: (ctx, input, meta) =>
      createToken(
        ctx,
        { ...(input as ProviderInput<'hosted_session', 'idenfy'>), clientId: meta.customerId, externalRef: meta.verificationId },
        meta.now,
      ),
  },
  lapis: {
    document_upload: (ctx, input) => uploadDocument(ctx, input as ProviderInput<'document', 'lapis'>, ctx.paths),
    face_authentication: (ctx, input) => authenticateFace(ctx, input as ProviderInput<'face_match', 'lapis'>, ctx.paths),
    liveliness: (ctx, input) => verifyLiveliness(ctx, input as ProviderInput<'liveness', 'lapis'>, ctx.paths),
  },
  inhouse: {
    flash_liveness: (ctx, input, meta) => verifyFlashLiveness(ctx, input as ProviderInput<'liveness', 'inhouse'>, meta.customerId),
    ktp_tamper: (ctx, input, meta) => verifyKtpTamper(ctx, input as ProviderInput<'document', 'inhouse'>, meta.customerId),
    face_match: (ctx, input, meta) => matchFaces(ctx, input as ProviderInput<'face_match', 'inhouse'>, meta.customerId),
    registryless_selfie: (ctx, input, meta) =>
      verifyRegistrylessSelfie(ctx, input as ProviderInput<'identity_selfie', 'inhouse'>, meta.customerId),
  },
};
