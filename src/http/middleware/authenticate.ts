import type { RequestHandler } from 'express';
import { AppError } from '../../errors/app-error';
import { createHash } from 'node:crypto';
import { authenticateKey, type ApiKey } from '../../tenancy/keys-repo';
import type { Scope } from '../../tenancy/scopes';
import type { AppDeps, Caller } from '../../deps';
import { authenticateOperatorKey } from '../../ops/operator-keys-repo';
import type { Operator } from '../../ops/operator-actions';
import { checkCsrf, signedIn } from '../console/console-auth';

/**
 * The active key of a presented plaintext, from the cache (CACHE_TTL_MS) or the database. Only keys that
 * authenticated are cached, under the SHA-256 of the plaintext, so a wrong key is always checked in full.
 */
async function cachedKey(deps: AppDeps, plaintext: string): Promise<ApiKey | null> {
  const id = createHash('sha256').update(plaintext).digest('base64');
  const cached = deps.caches.keys.get(id);
  if (cached) return cached;
  const key = await authenticateKey(deps.db, deps.keys, plaintext);
  if (key) deps.caches.keys.set(id, key);
  return key;
}

/** The key of `Authorization: Bearer <key>`, or undefined. */
function bearer(header: string | undefined): string | undefined {
  return header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
}

/** Resolves `Authorization: Bearer <key>` to the calling org and key, and checks the route's scope. */
export function authenticate(deps: AppDeps, scope: Scope): RequestHandler {
  return async (req, res, next) => {
    const presented = bearer(req.headers.authorization);
    if (!presented) return next(new AppError('api_key_missing'));
    if (deps.keys.parseOperator(presented)) return next(new AppError('operator_key_not_accepted'));
    const key = await cachedKey(deps, presented);
    if (!key) return next(new AppError('api_key_invalid'));
    if (!key.scopes.includes(scope)) return next(new AppError('missing_scope', { params: { scope } }));
    const caller: Caller = { orgId: key.orgId, keyId: key.id, keyMode: key.mode, scopes: key.scopes };
    res.locals.caller = caller;
    next();
  };
}

/**
 * Operator routes: only an active operator key. A tenant key, whatever its scopes, is refused with
 * 403 `operator_key_required`; it never reaches the handler. Read from the database on every call (few
 * calls, and a revoked operator key must stop at once on every instance). Without an Authorization header,
 * the console's session cookie stands for the operator key it was opened with (src/http/console), and a request
 * that changes something must then carry the session's CSRF token.
 */
export function authenticateOperator(deps: AppDeps): RequestHandler {
  return async (req, res, next) => {
    try {
      const presented = bearer(req.headers.authorization);
      if (!presented && req.headers.authorization === undefined) {
        const signed = await signedIn(deps, req);
        if (!signed) return next(new AppError('api_key_missing'));
        checkCsrf(req, signed.session);
        res.locals.operator = signed.operator;
        return next();
      }
      if (!presented) return next(new AppError('api_key_missing'));
      if (!deps.keys.parseOperator(presented)) return next(new AppError('operator_key_required'));
      const key = await authenticateOperatorKey(deps.db, deps.keys, presented);
      if (!key) return next(new AppError('api_key_invalid'));
      const operator: Operator = { keyId: key.id };
      res.locals.operator = operator;
      next();
    } catch (err) {
      next(err);
    }
  };
}
