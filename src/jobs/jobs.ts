import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE_DEFAULTS } from './queues';

/**
 * Where use cases hand work to the workers: one BullMQ queue per name, made on first use, over the process's
 * fail-fast producer connection (with Redis down, `add` fails at once instead of waiting). Job data carries
 * ids only, never images or PII; a producer chooses the job id, so adding the same work twice is one job.
 */
export class Jobs {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly connection: Redis,
    /** Redis key prefix of every queue (default `verigate`; tests and the chaos harness use their own). */
    readonly prefix = 'verigate',
    /** Default options of every job added here, by queue (default QUEUE_DEFAULTS). */
    private readonly defaults: Readonly<Record<string, JobsOptions>> = QUEUE_DEFAULTS,
  ) {}

  queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection, prefix: this.prefix, defaultJobOptions: this.defaults[name] });
      this.queues.set(name, q);
    }
    return q;
  }

  /** Adds one job; `jobId` makes it idempotent (BullMQ ignores an id it already holds). */
  async add(queue: string, name: string, data: Record<string, unknown>, options: JobsOptions & { jobId: string }): Promise<void> {
    await this.queue(queue).add(name, data, options);
  }

  /**
   * Hands a job over again that may have been lost (Redis restarted, a job gave up): a new one when the queue
   * holds none of this id, the failed one retried; one waiting, delayed or running is left alone.
   */
  async addAgain(queue: string, name: string, data: Record<string, unknown>, jobId: string): Promise<void> {
    const job = await this.queue(queue).getJob(jobId);
    if (!job) return this.add(queue, name, data, { jobId });
    if (await job.isFailed()) await job.retry();
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}
