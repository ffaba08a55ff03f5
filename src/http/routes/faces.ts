import { z } from 'zod';
import { requireCustomer } from '../../customers/require-customer';
import { AppError } from '../../errors/app-error';
import { EnrollBody, prepareEnrollment } from '../../faces/enroll-face';
import { deactivateEnrollment, findEnrollment, insertEnrollment, listEnrollments } from '../../faces/enrollments-repo';
import { MatchBody, scoreMatch } from '../../faces/match-faces';
import { findMatch, insertMatch } from '../../faces/matches-repo';
import { presentEnrollment, presentMatch } from '../../faces/present';
import type { AppDeps } from '../../deps';
import { route, type RouteSpec } from '../route';

const Deactivate = z.object({ reason: z.string().trim().min(1).max(500) }).strict();

/** Face enrollments and matches (seed 000 Match, DESIGN 9). Image work happens before the short write transaction. */
export function faceRoutes(deps: AppDeps): RouteSpec[] {
  const face = deps.engine.config.face;
  // Two images at most per request, plus room for the other fields.
  const bodyLimitBytes = 2 * face.maxImageBase64Chars + 64 * 1024;
  const notFound = (resource: string, param: string) => new AppError('resource_not_found', { params: { resource }, param });
  return [
    route({
      method: 'post',
      path: '/v1/customers/:id/enrollments',
      scope: 'enrollments:write',
      body: EnrollBody(face.maxImageBase64Chars),
      bodyLimitBytes,
      handler: async ({ caller, body, params, transaction }) => {
        const prepared = await prepareEnrollment(deps, caller, params.id as string, body);
        return transaction(async (tx) => {
          const { enrollment, created } = await insertEnrollment(tx, prepared);
          return { status: created ? 201 : 200, body: presentEnrollment(enrollment) };
        });
      },
    }),
    route({
      method: 'get',
      path: '/v1/customers/:id/enrollments',
      scope: 'enrollments:view',
      handler: async ({ caller, params }) => {
        const customerId = params.id as string;
        await requireCustomer(deps.db, caller.orgId, customerId, 'id');
        const enrollments = await listEnrollments(deps.db, { orgId: caller.orgId, customerId, now: deps.now() });
        return { status: 200, body: { object: 'list', data: enrollments.map(presentEnrollment) } };
      },
    }),
    route({
      method: 'get',
      path: '/v1/enrollments/:id',
      scope: 'enrollments:view',
      handler: async ({ caller, params }) => {
        const enrollment = await findEnrollment(deps.db, caller.orgId, params.id as string, deps.now());
        if (!enrollment) throw notFound('face enrollment', 'id');
        return { status: 200, body: presentEnrollment(enrollment) };
      },
    }),
    /** Deactivating is final and idempotent: an inactive enrollment is answered as it is, with its first reason. */
    route({
      method: 'post',
      path: '/v1/enrollments/:id/deactivate',
      scope: 'enrollments:write',
      body: Deactivate,
      handler: ({ caller, body, params, transaction }) =>
        transaction(async (tx) => {
          const enrollment = await deactivateEnrollment(tx, caller.orgId, params.id as string, body.reason, deps.now());
          if (!enrollment) throw notFound('face enrollment', 'id');
          return { status: 200, body: presentEnrollment(enrollment) };
        }),
    }),
    route({
      method: 'post',
      path: '/v1/matches',
      scope: 'matches:write',
      body: MatchBody(face.maxImageBase64Chars),
      bodyLimitBytes,
      handler: async ({ caller, body, transaction }) => {
        const scored = await scoreMatch(deps, caller, body);
        return transaction(async (tx) => ({ status: 201, body: presentMatch(await insertMatch(tx, scored)) }));
      },
    }),
    route({
      method: 'get',
      path: '/v1/matches/:id',
      scope: 'matches:view',
      handler: async ({ caller, params }) => {
        const match = await findMatch(deps.db, caller.orgId, params.id as string);
        if (!match) throw notFound('face match', 'id');
        return { status: 200, body: presentMatch(match) };
      },
    }),
  ];
}
