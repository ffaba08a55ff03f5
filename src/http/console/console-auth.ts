import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import type { AppDeps } from '../../deps';
import { AppError } from '../../errors/app-error';
import type { Operator } from '../../ops/operator-actions';
import { findActiveOperatorKey } from '../../ops/operator-keys-repo';
import { readCookie, SESSION_COOKIE } from './cookies';
import { ConsoleSessions, type ConsoleSession } from '../../ops/console-sessions';

/** The sessions of this process's deps (one store per Redis and prefix). */
const stores = new WeakMap<AppDeps, ConsoleSessions>();
export function consoleSessions(deps: AppDeps): ConsoleSessions {
  let store = stores.get(deps);
  if (!store) {
    store = new ConsoleSessions(deps.redis, deps.jobs.prefix);
    stores.set(deps, store);
  }
  return store;
}

export interface SignedIn {
  operator: Operator;
  session: ConsoleSession;
  token: string;
}

/**
 * The operator of the request's console session cookie, or null when there is none, it expired or was
 * signed out, or its operator key has been revoked since (checked on every request, like operator keys).
 */
export async function signedIn(deps: AppDeps, req: Request): Promise<SignedIn | null> {
  const token = readCookie(req.headers.cookie, SESSION_COOKIE);
  if (!token) return null;
  const session = await consoleSessions(deps).find(token);
  if (!session || !(await findActiveOperatorKey(deps.db, session.operatorKeyId))) return null;
  return { operator: { keyId: session.operatorKeyId }, session, token };
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * A console request that changes something must carry the session's CSRF token in `X-CSRF-Token` (on top of
 * the cookie's SameSite=Strict): 403 `csrf_token_invalid` otherwise. Reads pass.
 */
export function checkCsrf(req: Request, session: ConsoleSession): void {
  if (SAFE_METHODS.has(req.method)) return;
  const sent = Buffer.from(String(req.headers['x-csrf-token'] ?? ''));
  const expected = Buffer.from(session.csrfToken);
  if (sent.length !== expected.length || !timingSafeEqual(sent, expected)) throw new AppError('csrf_token_invalid');
}
