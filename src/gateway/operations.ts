import { checkIdName, verifyIdName, verifyIdSelfie } from '../../adapters/accuauth';
import { createToken } from '../../adapters/idenfy';
import { authenticateFace, uploadDocument, verifyLiveliness } from '../../adapters/lapis';
import type { AdapterOutcome, CallContext } from '../../adapters/types';
import type { CheckInput } from './check-inputs';
import type { VendorId } from './providers';

/** What an operation knows besides the check's input. */
export interface OperationMeta {
  customerId: string;
  verificationId: string;
  now: Date;
}

type Invoke = (ctx: CallContext, input: unknown, meta: OperationMeta) => Promise<AdapterOutcome>;

/**
 * The adapter function behind each routable (provider, operation). The input was validated against the
 * check's schema (check-inputs.ts) before routing, and the capability matrix only routes a check to an
 * operation that declares it serves that check, so each cast below names the schema that validated it.
 */
export const OPERATIONS: Record<VendorId, Record<string, Invoke>> = {
  accuauth: {
    id_selfie: (ctx, input) => verifyIdSelfie(ctx, input as CheckInput<'identity_selfie'>),
    id_name: (ctx, input) => verifyIdName(ctx, input as CheckInput<'name_check'>),
    id_name_check: (ctx, input) => checkIdName(ctx, input as CheckInput<'name_check'>),
  },
  idenfy: {
    token: (ctx, input, meta) =>
      createToken(
        ctx,
        { ...(input as CheckInput<'hosted_session'>), clientId: meta.customerId, externalRef: meta.verificationId },
        meta.now,
      ),
  },
  lapis: {
    document_upload: (ctx, input) => uploadDocument(ctx, input as CheckInput<'document'>, ctx.paths),
    face_authentication: (ctx, input) => authenticateFace(ctx, input as CheckInput<'face_match'>, ctx.paths),
    liveliness: (ctx, input) => verifyLiveliness(ctx, input as CheckInput<'liveness'>, ctx.paths),
  },
};
