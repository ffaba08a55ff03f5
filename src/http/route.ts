import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { Commit, Queryable, UnitOfWork } from '../store/db';
import type { Capability, Scope } from '../tenancy/scopes';
import type { Caller } from '../deps';
import type { Operator } from '../ops/operator-actions';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** What a handler answers; the runner serialises it, so a stored idempotent reply is byte-identical. */
export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface RouteContext<B, Q> {
  /** The tenant key's org and key; on `operator` routes there is none (use `operator`). */
  caller: Caller;
  /** The operator key, on `operator` routes only. */
  operator?: Operator;
  body: B;
  query: Q;
  params: Record<string, string>;
  req: Request;
  res: Response;
  /**
   * Runs the handler's writes in one transaction. When the request carries an Idempotency-Key, the
   * reply is stored in that same transaction, so the effect and its remembered answer commit together.
   */
  transaction(fn: (tx: Queryable) => Promise<Reply>): Promise<Reply>;
  /**
   * The same for a use case: its writes commit with the reply `present` makes of its value, in one
   * transaction. The handler then answers `present(value)`; the stored reply is what is sent.
   */
  commit<T>(present: (value: T) => Reply): Commit<T>;
  /**
   * For a use case that writes ahead of its effects (a verification): `begin` claims the Idempotency-Key in
   * its first write transaction (routes with `idempotencyClaim: 'in_first_write'`), `commit` is the above.
   */
  unitOfWork<T>(present: (value: T) => Reply): UnitOfWork<T>;
}

/** One endpoint, declared as data: the app derives auth, limits, body parsing, 404 and 405 from it. */
export interface RouteSpec<B = unknown, Q = unknown> {
  method: Method;
  path: string;
  /** The scope a key needs; omitted only for public meta routes and operator routes. */
  scope?: Scope;
  /**
   * An operator route: only an operator key (`vk_op_...`, made by the CLI or at start-up) is accepted; no
   * tenant key, whatever its scopes. Such routes take no Idempotency-Key (their actions are idempotent).
   */
  operator?: true;
  /** An org capability the route needs (seed 000: `403 org capability disabled`), checked before the body is read. */
  capability?: Capability;
  /**
   * Operation name in config/rate-limits.json, taken before the body is read; or a function of the valid
   * body when the operation depends on it (a capture's `kind`). Omitted for routes without a per-key limit.
   */
  rateLimit?: string | ((body: B) => string);
  /**
   * The route can call a paid vendor: it must have a `rateLimit` (the app refuses to start otherwise), and
   * the org's daily spend cap is checked before its body is read (src/ledger/spend-cap.ts).
   */
  paidVendorCalls?: true;
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  /** Largest body, in bytes; defaults to config http.jsonBodyLimitBytes. */
  bodyLimitBytes?: number;
  /**
   * The body is handed over as the raw bytes (`req.body` is a Buffer), not parsed: for a route that checks a
   * signature over exactly those bytes first (vendor webhooks). `body` must then be omitted.
   */
  rawBody?: true;
  /**
   * Where a POST's Idempotency-Key is claimed: before the handler runs (default), or `in_first_write`, inside
   * the use case's first write transaction (ctx.unitOfWork), so the claim commits with the effect's first
   * record or not at all, and a failure before it leaves nothing remembered.
   */
  idempotencyClaim?: 'before_handler' | 'in_first_write';
  handler(ctx: RouteContext<B, Q>): Promise<Reply>;
}

/** Keeps the body and query types of one route tied to its schemas. */
export const route = <B = unknown, Q = unknown>(spec: RouteSpec<B, Q>): RouteSpec => spec as unknown as RouteSpec;
