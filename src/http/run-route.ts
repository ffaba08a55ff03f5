import type { NextFunction, Request, Response } from 'express';
import type { Queryable } from '../store/db';
import type { StoredResponse } from '../store/idempotency-repo';
import type { AppDeps, Caller } from '../deps';
import { logError, serialiseError } from './error-response';
import * as idempotency from './idempotency';
import { takeRateLimit } from './middleware/rate-limit';
import type { Reply, RouteSpec } from './route';

/** Validates input, runs the handler (under its Idempotency-Key when a POST carries one) and answers. */
export function runRoute(deps: AppDeps, spec: RouteSpec) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const caller = res.locals.caller as Caller;
      const body = spec.body ? spec.body.parse(req.body) : undefined;
      const query = spec.query ? spec.query.parse(req.query) : undefined;
      if (typeof spec.rateLimit === 'function') await takeRateLimit(deps, res, caller.keyId, spec.rateLimit(body));
      const key = spec.method === 'post' ? idempotency.idempotencyKeyOf(req) : undefined;

      let held: idempotency.HeldClaim | undefined;
      if (key) {
        const claimed = await idempotency.claim(deps, { orgId: caller.orgId, key }, idempotency.requestHash(req));
        if (!idempotency.isHeldClaim(claimed)) return send(res, claimed, true);
        held = claimed;
      }

      // Set only once the transaction that stored it has committed: that reply is what replays return.
      let committed: StoredResponse | undefined;
      const transaction = async (fn: (tx: Queryable) => Promise<Reply>) => {
        let stored: StoredResponse | undefined;
        const reply = await deps.db.transaction(async (tx) => {
          const r = await fn(tx);
          stored = toStored(r);
          if (held) await idempotency.complete(tx, held, stored);
          return r;
        });
        if (held) committed = stored;
        return reply;
      };
      const ctx = {
        caller,
        body,
        query,
        params: req.params as Record<string, string>,
        req,
        res,
        transaction,
        commit:
          <T>(present: (value: T) => Reply) =>
          async (work: (tx: Queryable) => Promise<T>): Promise<T> => {
            let value: T | undefined;
            await transaction(async (tx) => {
              const done = await work(tx);
              value = done;
              return present(done);
            });
            return value as T;
          },
      };

      let response: StoredResponse;
      let errorCode: string | undefined;
      try {
        response = toStored(await spec.handler(ctx));
        // A handler that wrote nothing in ctx.transaction: its reply is stored now.
        if (held && !committed) await idempotency.complete(deps.db, held, response);
      } catch (err) {
        if (!held) throw err;
        const serialised = serialiseError(err, res.locals.requestId as string);
        logError(deps.logger, err, serialised);
        errorCode = serialised.body.error.code;
        response = { status: serialised.status, headers: serialised.headers, body: JSON.stringify(serialised.body) };
        if (committed) {
          // The transaction committed before the failure: its stored reply stands.
        } else if (idempotency.shouldRemember(response.status, serialised.body.error)) {
          await idempotency.complete(deps.db, held, response).catch(() => undefined); // a lost claim has nothing to store
        } else {
          await idempotency.release(deps.db, held);
        }
      }
      if (committed) response = committed;
      if (errorCode) res.locals.errorCode = errorCode;
      send(res, response, false);
    } catch (err) {
      next(err);
    }
  };
}

// A reply that names its own Content-Type carries a ready string (CSV, say); everything else is JSON.
const toStored = (reply: Reply): StoredResponse => ({
  status: reply.status,
  headers: reply.headers ?? {},
  body: reply.body === undefined ? '' : reply.headers?.['Content-Type'] && typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body),
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
