import type { RequestHandler } from 'express';
import type { AppDeps, Caller } from '../../deps';
import { assertUnderSpendCap } from '../../ledger/spend-cap';

/** On routes that call paid vendors: refuses the request, before its body is read, once the org's day reached its cap. */
export function spendCap(deps: AppDeps): RequestHandler {
  return async (_req, res, next) => {
    try {
      await assertUnderSpendCap(deps, res.locals.caller as Caller);
      next();
    } catch (err) {
      next(err);
    }
  };
}
