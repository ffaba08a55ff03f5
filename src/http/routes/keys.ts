import { z } from 'zod';
import { AppError } from '../../errors/app-error';
import { issueKey, listKeys, revokeKey, type ApiKey, type IssuedKey } from '../../tenancy/keys-repo';
import { Scope, SCOPES } from '../../tenancy/scopes';
import type { AppDeps } from '../../deps';
import { route, type RouteSpec } from '../route';

const CreateKey = z
  .object({
    name: z.string().trim().min(1).max(100),
    scopes: z.array(Scope).min(1).max(SCOPES.length),
  })
  .strict();

/** A key as the API shows it: never its secret. */
export const presentKey = (k: ApiKey) => ({
  id: k.id,
  object: 'api_key',
  name: k.name,
  mode: k.mode,
  scopes: k.scopes,
  createdAt: k.createdAt.toISOString(),
  revokedAt: k.revokedAt?.toISOString() ?? null,
});

/** A key just issued: the only time its secret and hmacKey are shown. */
export const presentIssued = (k: IssuedKey) => ({ ...presentKey(k), key: k.key, hmacKey: k.hmacKey });

export function keyRoutes(deps: AppDeps): RouteSpec[] {
  return [
    /**
     * Issues a key for the caller's own org, in the caller's own mode, with at most the caller's scopes:
     * a key can never mint a more powerful one. The key and its hmacKey are in this response only.
     */
    route({
      method: 'post',
      path: '/v1/keys',
      scope: 'keys:write',
      rateLimit: 'keys.create',
      body: CreateKey,
      handler: async ({ caller, body, transaction }) => {
        const beyond = body.scopes.find((s) => !caller.scopes.includes(s));
        if (beyond) throw new AppError('missing_scope', { params: { scope: beyond }, param: 'scopes' });
        return transaction(async (tx) => {
          const issued = await issueKey(tx, deps.keys, { orgId: caller.orgId, name: body.name, mode: caller.keyMode, scopes: body.scopes });
          return { status: 201, body: presentIssued(issued) };
        });
      },
    }),
    route({
      method: 'get',
      path: '/v1/keys',
      scope: 'keys:view',
      handler: async ({ caller }) => ({
        status: 200,
        body: { object: 'list', data: (await listKeys(deps.db, caller.orgId)).map(presentKey) },
      }),
    }),
    route({
      method: 'delete',
      path: '/v1/keys/:id',
      scope: 'keys:write',
      handler: async ({ caller, params }) => {
        const key = await revokeKey(deps.db, caller.orgId, params.id as string, deps.now());
        if (!key) throw new AppError('resource_not_found', { params: { resource: 'api key' }, param: 'id' });
        // At once on this instance; other instances stop accepting it within CACHE_TTL_MS.
        deps.caches.keys.deleteWhere((cached) => cached.id === key.id);
        return { status: 200, body: presentKey(key) };
      },
    }),
  ];
}
