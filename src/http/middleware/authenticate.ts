import type { RequestHandler } from 'express';
import { AppError } from '../../errors/app-error';
import { createHash } from 'node:crypto';
import { authenticateKey, type ApiKey } from '../../tenancy/keys-repo';
import type { Scope } from '../../tenancy/scopes';
import type { AppDeps, Caller } from '../../deps';

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

/** Resolves `Authorization: Bearer <key>` to the calling org and key, and checks the route's scope. */
export function authenticate(deps: AppDeps, scope: Scope): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) return next(new AppError('api_key_missing'));
    const key = await cachedKey(deps, match[1] as string);
    if (!key) return next(new AppError('api_key_invalid'));
    if (!key.scopes.includes(scope)) return next(new AppError('missing_scope', { params: { scope } }));
    const caller: Caller = { orgId: key.orgId, keyId: key.id, keyMode: key.mode, scopes: key.scopes };
    res.locals.caller = caller;
    next();
  };
}
