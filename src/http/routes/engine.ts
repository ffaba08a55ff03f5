import { z } from 'zod';
import { findCustomer } from '../../customers/customers-repo';
import { AppError } from '../../errors/app-error';
import { findCapture } from '../../engine/captures-repo';
import { insertChallenge } from '../../engine/challenges-repo';
import { captureBodyLimitBytes } from '../../engine/engine';
import { randomNonce, randomSequence } from '../../engine/flash-sequence';
import { presentCapture, presentChallenge } from '../../engine/present';
import { CaptureBody, submitCapture } from '../../engine/submit-capture';
import type { AppDeps } from '../context';
import { route, type RouteSpec } from '../route';

const CreateChallenge = z
  .object({
    customerId: z.string().min(1).max(64),
    kind: z.enum(['selfie', 'ktp']),
  })
  .strict();

/** The in-house engine (DESIGN 9): flash challenges and signed capture bundles. */
export function engineRoutes(deps: AppDeps): RouteSpec[] {
  const { engine } = deps;
  return [
    route({
      method: 'post',
      path: '/v1/flash-challenges',
      scope: 'captures:write',
      body: CreateChallenge,
      handler: ({ caller, body, transaction }) =>
        transaction(async (tx) => {
          if (!(await findCustomer(tx, caller.orgId, body.customerId))) {
            throw new AppError('resource_not_found', { params: { resource: 'customer' }, param: 'customerId' });
          }
          const now = deps.now();
          const c = engine.config.challenge;
          const challenge = await insertChallenge(tx, {
            orgId: caller.orgId,
            customerId: body.customerId,
            kind: body.kind,
            nonce: randomNonce(c.nonceBytes),
            sequence: randomSequence(c.sequenceLength),
            createdAt: now,
            expiresAt: new Date(now.getTime() + c.ttlSeconds * 1000),
          });
          return { status: 201, body: presentChallenge(challenge) };
        }),
    }),
    route({
      method: 'post',
      path: '/v1/captures',
      scope: 'captures:write',
      body: CaptureBody,
      bodyLimitBytes: captureBodyLimitBytes(engine.config),
      handler: ({ caller, body, req, res }) =>
        submitCapture(deps, engine, {
          caller,
          body,
          rawBody: req.body as Record<string, unknown>,
          requestId: res.locals.requestId as string,
          res,
        }),
    }),
    route({
      method: 'get',
      path: '/v1/captures/:id',
      scope: 'captures:view',
      handler: async ({ caller, params }) => {
        const capture = await findCapture(deps.db, caller.orgId, params.id as string, deps.now());
        if (!capture) throw new AppError('resource_not_found', { params: { resource: 'capture' }, param: 'id' });
        return { status: 200, body: presentCapture(capture) };
      },
    }),
  ];
}
