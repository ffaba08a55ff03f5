import type { AppDeps } from '../../deps';
import { route, type RouteSpec } from '../route';

const READY_TIMEOUT_MS = 2000;

/** Resolves with 'ok' or the failure's message, never slower than the timeout. */
async function probe(check: () => Promise<unknown>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check().then(() => 'ok'), timeout]);
  } catch (err) {
    return (err as Error).message;
  } finally {
    clearTimeout(timer);
  }
}

export function metaRoutes(deps: AppDeps): RouteSpec[] {
  return [
    /** Liveness: the process answers. */
    route({ method: 'get', path: '/healthz', handler: async () => ({ status: 200, body: { status: 'ok' } }) }),
    /** Readiness: the database and Redis both really answer a query. */
    route({
      method: 'get',
      path: '/readyz',
      handler: async () => {
        const [database, redis] = await Promise.all([
          probe(() => deps.db.query('SELECT 1')),
          probe(async () => {
            if ((await deps.redis.ping()) !== 'PONG') throw new Error('unexpected PING reply');
          }),
        ]);
        const ready = database === 'ok' && redis === 'ok';
        return { status: ready ? 200 : 503, body: { status: ready ? 'ready' : 'not_ready', checks: { database, redis } } };
      },
    }),
  ];
}
