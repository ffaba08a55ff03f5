import { z } from 'zod';
import { requireCustomer } from '../../customers/require-customer';
import type { AppDeps } from '../../deps';
import { findCapture } from '../../engine/captures-repo';
import { captureBodyLimitBytes } from '../../engine/engine';
import { issueChallenge } from '../../engine/issue-challenge';
import { presentCapture, presentChallenge } from '../../engine/present';
import { CaptureBody, captureRateLimit, submitCapture } from '../../engine/submit-capture';
import { AppError } from '../../errors/app-error';
import { serialiseError } from '../error-response';
import { route, type RouteSpec } from '../route';

const CreateChallenge = z
  .object({
    customerId: z.string().min(1).max(64),
    kind: z.enum(['selfie', 'ktp']),
    /** 1: colours only; 2: timed (twelve hues, a random window per colour, a time per frame). Default: config `challenge.defaultVersion`. */
    version: z.union([z.literal(1), z.literal(2)]).optional(),
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
          await requireCustomer(tx, caller.orgId, body.customerId);
          const challenge = await issueChallenge(tx, engine.config.challenge, { orgId: caller.orgId, ...body }, deps.now());
          return { status: 201, body: presentChallenge(challenge) };
        }),
    }),
    route({
      method: 'post',
      path: '/v1/captures',
      scope: 'captures:write',
      body: CaptureBody,
      bodyLimitBytes: captureBodyLimitBytes(engine.config),
      rateLimit: captureRateLimit,
      handler: async ({ caller, body, req, res }) => {
        const capture = await submitCapture(deps, {
          caller,
          body,
          rawBody: req.body as Record<string, unknown>,
          // A replay repeats the first answer as this request would have sent it, request id included.
          answerOf: (error) => {
            const { status, body: errorBody } = serialiseError(error, res.locals.requestId as string);
            return { status, body: errorBody };
          },
        });
        return { status: 201, body: capture.response.body };
      },
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
