import type { Request } from 'express';
import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json';
import { AppError } from '../errors/app-error';
import { errorCatalog } from '../errors/catalog';
import type { Db, Queryable } from '../store/db';
import { claimKey, completeKey, releaseKey, renewKey, type StoredResponse } from '../store/idempotency-repo';
import type { AppDeps } from '../deps';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

// Error types that mean "nothing was done": the request is not remembered, so a corrected retry with
// the same key runs (Stripe stores nothing for validation failures or concurrent-use conflicts).
const NOT_REMEMBERED = new Set(['invalid_request_error', 'authentication_error', 'permission_error', 'rate_limit_error', 'idempotency_error']);

export interface IdempotencyScope {
  orgId: string;
  key: string;
}

/** A claim this request holds: its scope and the token proving it still holds it. */
export interface HeldClaim extends IdempotencyScope {
  token: string;
  /** Taken over from a request that died holding it: that request's work may be found and gone on from. */
  tookOver: boolean;
}

/** The Idempotency-Key header of a request, validated; undefined when absent. */
export function idempotencyKeyOf(req: Request): string | undefined {
  const key = req.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || !KEY_PATTERN.test(key)) throw new AppError('idempotency_key_invalid', { param: 'Idempotency-Key' });
  return key;
}

/** Same key, same method and path, same JSON (canonical, so key order and spacing do not matter). */
export function requestHash(req: Request): string {
  return createHash('sha256')
    .update(`${req.method} ${req.path}\n${canonicalJson(req.body ?? null)}`)
    .digest('hex');
}

/**
 * Whether a response is stored for replay. Successes and failures after work started are (Stripe keeps
 * even a 500). Not remembered: rejections before anything ran (validation, auth, rate limit, a key in
 * use), and retryable failures that provably cost nothing (an open breaker, a refused connection), so
 * a client following `retryable: true` with the same key gets a real second try.
 */
export function shouldRemember(status: number, error?: { code: string; charged: string | null }): boolean {
  if (!error) return true;
  const entry = errorCatalog().get(error.code);
  if (NOT_REMEMBERED.has(entry.type)) return false;
  const costFree = error.charged === 'free' || error.charged === null;
  return !(entry.retryable && costFree && status !== 500);
}

/** Claims the key on `db` (a transaction, to commit the claim with a first write) or answers with the stored response / the right idempotency error. */
export async function claim(deps: AppDeps, db: Queryable, scope: IdempotencyScope, hash: string): Promise<HeldClaim | StoredResponse> {
  const now = deps.now();
  const result = await claimKey(db, {
    orgId: scope.orgId,
    key: scope.key,
    requestHash: hash,
    now,
    expiredBefore: new Date(now.getTime() - deps.config.idempotency.retentionHours * 3_600_000),
    staleBefore: new Date(now.getTime() - deps.config.idempotency.lockTimeoutSeconds * 1000),
  });
  if (result.outcome === 'replay') return result.response;
  if (result.outcome === 'in_use') throw new AppError('idempotency_key_in_use', { param: 'Idempotency-Key' });
  if (result.outcome === 'mismatch') throw new AppError('idempotency_key_reused', { param: 'Idempotency-Key' });
  return { ...scope, token: result.token, tookOver: result.tookOver };
}

export const isHeldClaim = (x: HeldClaim | StoredResponse): x is HeldClaim => 'token' in x;

/** The stored reply a claim made inside a use case's first write found: thrown to roll that write back and replay it. */
export class StoredReply extends Error {
  constructor(readonly response: StoredResponse) {
    super('idempotent replay');
  }
}

/** Tells the key's record that its request is still running (see lockTimeoutSeconds). */
export const renew = (deps: AppDeps, claim: HeldClaim) => renewKey(deps.db, claim.orgId, claim.key, claim.token, deps.now());

/**
 * Stores the response under the held claim. Inside the handler's transaction a lost claim (taken over
 * after the lock timeout by a retry) throws, rolling the business write back: the retry owns the work now.
 */
export async function complete(db: Queryable, claim: HeldClaim, response: StoredResponse): Promise<void> {
  if (!(await completeKey(db, claim.orgId, claim.key, claim.token, response))) {
    throw new AppError('idempotency_key_in_use', { param: 'Idempotency-Key' });
  }
}

export const release = (db: Db, claim: HeldClaim) => releaseKey(db, claim.orgId, claim.key, claim.token);
