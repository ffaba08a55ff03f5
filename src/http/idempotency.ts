import type { Request } from 'express';
import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json';
import { AppError } from '../errors/app-error';
import { errorCatalog } from '../errors/catalog';
import type { Db, Queryable } from '../store/db';
import { claimKey, completeKey, releaseKey, type StoredResponse } from '../store/idempotency-repo';
import type { AppDeps } from './context';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

// Error types that mean "nothing was done": the request is not remembered, so a corrected retry with
// the same key runs (Stripe stores nothing for validation failures or concurrent-use conflicts).
const NOT_REMEMBERED = new Set(['invalid_request_error', 'authentication_error', 'permission_error', 'rate_limit_error', 'idempotency_error']);

export interface IdempotencyScope {
  orgId: string;
  key: string;
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

export function shouldRemember(status: number, errorCode: string | undefined): boolean {
  if (!errorCode) return true;
  return !NOT_REMEMBERED.has(errorCatalog().get(errorCode).type);
}

/** Claims the key or answers with the stored response / the right idempotency error. */
export async function claim(deps: AppDeps, scope: IdempotencyScope, hash: string): Promise<StoredResponse | null> {
  const now = deps.now();
  const result = await claimKey(deps.db, {
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
  return null;
}

export const complete = (db: Queryable, scope: IdempotencyScope, response: StoredResponse) =>
  completeKey(db, scope.orgId, scope.key, response);

export const release = (db: Db, scope: IdempotencyScope) => releaseKey(db, scope.orgId, scope.key);
