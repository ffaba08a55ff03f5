/**
 * The harness's handle on the worker's BullMQ maintenance queue, on the run's Redis: how many workers are
 * connected (the worker serves nothing else to poll), and running maintenance jobs now instead of on their
 * schedule. The connection retries forever, so it outlives Redis restarts; each call has its own timeout.
 */
import { Job, type Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { maintenanceQueue } from '../../src/jobs/queues';
import { sleep } from './processes';

export interface JobResult {
  name: string;
  state: string;
  result: string;
}

const within = <T>(ms: number, work: Promise<T>, fallback: T) => Promise.race([work, sleep(ms).then(() => fallback)]);

export class Maintenance {
  private readonly connection: Redis;
  private readonly queue: Queue;

  constructor(redisUrl: string) {
    this.connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
    this.connection.on('error', () => undefined); // Redis restarts are the point of the run
    this.queue = maintenanceQueue(this.connection);
    this.queue.on('error', () => undefined);
  }

  /** Workers connected to the queue (0 also when Redis does not answer within 2 s). */
  async workers(): Promise<number> {
    return within(2000, this.queue.getWorkersCount(), 0);
  }

  /**
   * Adds each named job and waits until the worker completes or fails it. A name the worker does not know
   * fails ("unknown maintenance job"), which is reported as such.
   */
  async run(names: string[], timeoutMs = 120_000): Promise<JobResult[]> {
    const results: JobResult[] = [];
    for (const name of names) {
      const added = await this.queue.add(name, {}, { attempts: 1 });
      const deadline = Date.now() + timeoutMs;
      let state = await added.getState();
      while (state !== 'completed' && state !== 'failed' && Date.now() < deadline) {
        await sleep(250);
        state = await added.getState();
      }
      const job = await Job.fromId(this.queue, added.id as string);
      const result = state === 'failed' ? (job?.failedReason ?? '') : JSON.stringify(job?.returnvalue ?? null);
      results.push({ name, state, result });
    }
    return results;
  }

  async close(): Promise<void> {
    await within(3000, this.queue.close(), undefined);
    this.connection.disconnect();
  }
}
