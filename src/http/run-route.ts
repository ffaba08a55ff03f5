import type { NextFunction, Request, Response } from 'express';
import type { AppDeps, Caller } from '../deps';
import type { Queryable } from '../store/db';
import { newClaimToken, type StoredResponse } from '../store/idempotency-repo';
import { detached } from '../store/transaction-guard';
import { logError, serialiseError } from './error-response';
import * as idempotency from './idempotency';
import { badStringIn, unstorable } from './middleware/json-body';
import { takeRateLimit } from './middleware/rate-limit';
import type { Reply, RouteContext, RouteSpec } from './route';

/** Validates input, runs the handler (under its Idempotency-Key when a POST carries one) and answers. */
export function runRoute(deps: AppDeps, spec: RouteSpec) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const claim = new ClaimKeeper(deps);
    try {
      // Undefined on operator routes, which have no org to scope an Idempotency-Key to.
      const caller = res.locals.caller as Caller | undefined;
      refuseUnstorable(req.params as Record<string, unknown>);
      refuseUnstorable(req.query as Record<string, unknown>);
      const body = spec.body ? spec.body.parse(req.body) : undefined;
      const query = spec.query ? spec.query.parse(req.query) : undefined;
      if (typeof spec.rateLimit === 'function' && caller) await takeRateLimit(deps, res, caller.keyId, spec.rateLimit(body));
      // A route without an API key (a vendor's webhook) has no org to keep an Idempotency-Key under.
      const key = spec.method === 'post' && caller ? idempotency.idempotencyKeyOf(req) : undefined;
      const scope = key && caller ? { orgId: caller.orgId, key } : undefined;
      const hash = key ? idempotency.requestHash(req) : '';

      // Claimed now, or (idempotencyClaim: 'in_first_write') inside the use case's first write transaction.
      if (scope && spec.idempotencyClaim !== 'in_first_write') {
        const claimed = await idempotency.claim(deps, deps.db, scope, hash);
        if (!idempotency.isHeldClaim(claimed)) return send(res, claimed, true);
        claim.hold(claimed);
      }

      // Set only once the transaction that stored it has committed: that reply is what replays return.
      let committed: StoredResponse | undefined;
      const transaction = async (fn: (tx: Queryable) => Promise<Reply>) => {
        let stored: StoredResponse | undefined;
        const reply = await deps.db.transaction(async (tx) => {
          const r = await fn(tx);
          stored = toStored(r);
          if (claim.held) await idempotency.complete(tx, claim.held, stored);
          return r;
        });
        if (claim.held) committed = stored;
        return reply;
      };
      const commit =
        <T>(present: (value: T) => Reply) =>
        async (work: (tx: Queryable) => Promise<T>): Promise<T> => {
          let value: T | undefined;
          await transaction(async (tx) => {
            const done = await work(tx);
            value = done;
            return present(done);
          });
          return value as T;
        };
      const ctx: RouteContext<unknown, unknown> = {
        caller: caller as Caller,
        operator: res.locals.operator as RouteContext<unknown, unknown>['operator'],
        body,
        query,
        params: req.params as Record<string, string>,
        req,
        res,
        transaction,
        commit,
        unitOfWork: <T>(present: (value: T) => Reply) => {
          if (spec.idempotencyClaim !== 'in_first_write') return { commit: commit(present) };
          const fresh = scope && { ...scope, requestHash: hash, token: newClaimToken(), at: deps.now() };
          let reply: StoredResponse | undefined;
          return {
            // A claim that finds the stored reply throws it (StoredReply), rolling the first write back.
            begin: scope ? (tx: Queryable) => claim.claimIn(tx, scope, hash) : undefined,
            commit: commit(present),
            record: {
              claim: fresh ?? null,
              claimed: () => fresh && claim.hold({ orgId: fresh.orgId, key: fresh.key, token: fresh.token, tookOver: false }),
              reply: (value: T) => {
                reply = toStored(present(value));
                const held = claim.held;
                return { key: held ? { orgId: held.orgId, key: held.key, token: held.token } : null, response: reply };
              },
              replied: () => {
                if (claim.held) committed = reply;
              },
            },
          };
        },
      };

      let response: StoredResponse;
      let errorCode: string | undefined;
      try {
        response = toStored(await spec.handler(ctx));
        // A handler that wrote nothing in ctx.transaction: its reply is stored now.
        if (claim.held && !committed) await idempotency.complete(deps.db, claim.held, response);
      } catch (err) {
        if (err instanceof idempotency.StoredReply) return send(res, err.response, true);
        const held = claim.held;
        if (!held) throw err;
        const serialised = serialiseError(err, res.locals.requestId as string);
        logError(deps.logger, err, serialised);
        errorCode = serialised.body.error.code;
        response = { status: serialised.status, headers: serialised.headers, body: JSON.stringify(serialised.body) };
        if (committed) {
          // The transaction committed before the failure: its stored reply stands.
        } else if (idempotency.shouldRemember(response.status, serialised.body.error)) {
          // A lost claim (or one a rolled-back first write never committed) has nothing to store.
          await idempotency.complete(deps.db, held, response).catch(() => undefined);
        } else {
          await idempotency.release(deps.db, held);
        }
      }
      if (committed) response = committed;
      if (errorCode) res.locals.errorCode = errorCode;
      send(res, response, false);
    } catch (err) {
      next(err);
    } finally {
      claim.stop();
    }
  };
}

/**
 * The request's hold on its Idempotency-Key. While the request runs it renews the claim every third of
 * `lockTimeoutSeconds`, so a retry takes the key over only from a process that died, and soon after.
 */
class ClaimKeeper {
  held: idempotency.HeldClaim | undefined;
  private timer?: NodeJS.Timeout;

  constructor(private readonly deps: AppDeps) {}

  hold(claim: idempotency.HeldClaim): void {
    this.held = claim;
    const everyMs = (this.deps.config.idempotency.lockTimeoutSeconds * 1000) / 3;
    // The claim may be made inside the use case's first transaction: the renewals are not part of it.
    this.timer = setInterval(
      () =>
        detached(() => idempotency.renew(this.deps, claim)).catch((err: Error) =>
          this.deps.logger.warn({ err: err.message }, 'idempotency claim not renewed'),
        ),
      everyMs,
    );
    this.timer.unref();
  }

  /** Claims inside `tx`; a key in use, reused or already answered throws. True when the claim was taken over. */
  async claimIn(tx: Queryable, scope: idempotency.IdempotencyScope, hash: string): Promise<boolean> {
    const claimed = await idempotency.claim(this.deps, tx, scope, hash);
    if (!idempotency.isHeldClaim(claimed)) throw new idempotency.StoredReply(claimed);
    if (!this.held) this.hold(claimed);
    return claimed.tookOver;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

// A reply that names its own Content-Type carries a ready string (CSV, say); everything else is JSON.
const toStored = (reply: Reply): StoredResponse => ({
  status: reply.status,
  headers: reply.headers ?? {},
  body:
    reply.body === undefined
      ? ''
      : reply.headers?.['Content-Type'] && typeof reply.body === 'string'
        ? reply.body
        : JSON.stringify(reply.body),
});

function send(res: Response, response: StoredResponse, replayed: boolean): void {
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  if (replayed) res.setHeader('Idempotent-Replayed', 'true');
  res.status(response.status);
  if (response.body === '') res.end();
  else {
    if (!res.hasHeader('Content-Type')) res.type('application/json');
    res.send(response.body);
  }
}

/** Path and query values reach SQL as text: NUL and lone surrogates are refused like a body's (json-body.ts). */
function refuseUnstorable(values: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(values)) {
    if (unstorable(name) || [value].flat().some((v) => typeof v === 'string' && unstorable(v))) throw badStringIn(unstorable(name) ? '' : name);
  }
}
