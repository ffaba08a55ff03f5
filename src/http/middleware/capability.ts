import type { RequestHandler } from 'express';
import type { AppDeps, Caller } from '../../deps';
import { assertOrgCapability } from '../../dukcapil/org-capability';
import type { Capability } from '../../tenancy/scopes';

/** Refuses an org without `capability` before anything of the request's body is read. */
export function requireCapability(deps: AppDeps, capability: Capability): RequestHandler {
  return async (_req, res, next) => {
    try {
      await assertOrgCapability(deps.db, (res.locals.caller as Caller).orgId, capability);
      next();
    } catch (err) {
      next(err);
    }
  };
}
