import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { RequestHandler } from 'express';
import type { AppDeps } from '../../deps';
import { QUEUES } from '../../jobs/queues';

/**
 * bull-board over this process's BullMQ queues (deps.jobs: the configured queue prefix), read-only: a retry
 * or a clean acts on every tenant's work without an audit row, so it stays with the CLI and the workers.
 * Built on first use, under `basePath`.
 */
export function bullBoard(deps: AppDeps, basePath: string): RequestHandler {
  let router: RequestHandler | undefined;
  return (req, res, next) => {
    if (!router) {
      const serverAdapter = new ExpressAdapter().setBasePath(basePath);
      createBullBoard({
        queues: Object.values(QUEUES).map((name) => new BullMQAdapter(deps.jobs.queue(name), { readOnlyMode: true })),
        serverAdapter,
        options: { uiConfig: { boardTitle: 'verigate queues' } },
      });
      router = serverAdapter.getRouter() as RequestHandler;
    }
    router(req, res, next);
  };
}
