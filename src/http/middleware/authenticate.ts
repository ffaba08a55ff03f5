import type { RequestHandler } from 'express';
import { AppError } from '../../errors/app-error';
import { authenticateKey } from '../../tenancy/keys-repo';
import type { Scope } from '../../tenancy/scopes';
import type { AppDeps, Caller } from '../../deps';

/** Resolves `Authorization: Bearer <key>` to the calling org and key, and checks the route's scope. */
export function authenticate(deps: AppDeps, scope: Scope): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) return next(new AppError('api_key_missing'));
    const key = await authenticateKey(deps.db, deps.keys, match[1] as string);
    if (!key) return next(new AppError('api_key_invalid'));
    if (!key.scopes.includes(scope)) return next(new AppError('missing_scope', { params: { scope } }));
    const caller: Caller = { orgId: key.orgId, keyId: key.id, keyMode: key.mode, scopes: key.scopes };
    res.locals.caller = caller;
    next();
  };
}
