import { Writable } from 'node:stream';
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../../src/config';
import { workerConnection } from '../../src/jobs/redis';
import { startWorkers } from '../../src/jobs/workers';
import { createLogger } from '../../src/logger';
import type { Db } from '../../src/store/db';
import { webhooksQueueOf } from '../../src/webhooks/announce';
import type { WebhooksConfig } from '../../src/webhooks/webhooks-config';
import { REDIS_URL, startTestApp, testConfig, type TestApp } from '../helpers/test-app';

/** Test settings: tries seconds apart instead of days, jitter off so the backoff can be read off the log. */
export function webhooksConfig(
  overrides: { delivery?: Partial<WebhooksConfig['delivery']>; allow?: WebhooksConfig['allow'] } = {},
): WebhooksConfig {
  const base = testConfig().webhooks;
  return {
    ...base,
    delivery: { ...base.delivery, attempts: 6, baseDelayMs: 100, jitter: 0, timeoutMs: 2000, lockDurationMs: 5000, ...overrides.delivery },
    allow: overrides.allow ?? { hosts: [], cidrs: ['127.0.0.1/32'] },
  };
}

export interface WebhookHarness {
  app: TestApp;
  /** Warn lines the worker logged. */
  warnings: string[];
  close(): Promise<void>;
}

/** The real app and its webhooks worker, on a queue prefix of their own, with the given webhook settings. */
export async function startWebhookHarness(webhooks: WebhooksConfig, db?: Db): Promise<WebhookHarness> {
  const app = await startTestApp({ db, config: { webhooks } as Partial<Config> });
  const warnings: string[] = [];
  let consumer: Redis | undefined;
  let workers: Worker[] = [];
  try {
    consumer = workerConnection(REDIS_URL);
    const logger = createLogger('warn', new Writable({ write: (chunk, _enc, done) => (warnings.push(String(chunk)), done()) }));
    const { deps } = app;
    workers = startWorkers({ ...deps, logger }, consumer);
  } catch (err) {
    consumer?.disconnect();
    await app.close();
    throw err;
  }
  return {
    app,
    warnings,
    async close() {
      await Promise.all(workers.map((w) => w.close(true)));
      await webhooksQueueOf(app.deps)
        .obliterate({ force: true })
        .catch(() => undefined);
      consumer?.disconnect();
      await app.close();
    },
  };
}

export const until = async (what: string, ok: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};
