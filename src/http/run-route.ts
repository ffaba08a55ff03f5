import type { NextFunction, Request, Response } from 'express';
import type { Queryable } from '../store/db';
import type { StoredResponse } from '../store/idempotency-repo';
import type { AppDeps, Caller } from './context';
import { logError, serialiseError } from './error-response';
import * as idempotency from './idempotency';
import type { Reply, RouteSpec } from './route';

/** Validates input, runs the handler (under its Idempotency-Key when a POST carries one) and answers. */
export function runRoute(deps: AppDeps, spec: RouteSpec) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const caller = res.locals.caller as Caller;
      const body = spec.body ? spec.body.parse(req.body) : undefined;
      const query = spec.query ? spec.query.parse(req.query) : undefined;
      const key = spec.method === 'post' ? idempotency.idempotencyKeyOf(req) : undefined;
      const scope = key ? { orgId: caller.orgId, key } : undefined;

      if (scope) {
        const stored = await idempotency.claim(deps, scope, idempotency.requestHash(req));
        if (stored) return send(res, stored, true);
      }

      let storedInTransaction = false;
      const ctx = {
        caller,
        body,
        query,
        params: req.params as Record<string, string>,
        req,
        res,
        transaction: (fn: (tx: Queryable) => Promise<Reply>) =>
          deps.db.transaction(async (tx) => {
            const reply = await fn(tx);
            if (scope) {
              await idempotency.complete(tx, scope, toStored(reply));
              storedInTransaction = true;
            }
            return reply;
          }),
      };

      let response: StoredResponse;
      let errorCode: string | undefined;
      try {
        response = toStored(await spec.handler(ctx));
      } catch (err) {
        if (!scope) throw err;
        const serialised = serialiseError(err, res.locals.requestId as string);
        errorCode = serialised.body.error.code;
        response = { status: serialised.status, headers: serialised.headers, body: JSON.stringify(serialised.body) };
        logError(deps.logger, err, serialised);
      }
      if (scope && !storedInTransaction) {
        if (idempotency.shouldRemember(response.status, errorCode)) await idempotency.complete(deps.db, scope, response);
        else await idempotency.release(deps.db, scope);
      }
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
