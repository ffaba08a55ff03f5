import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WorkerResult, WorkerTask } from './worker-tasks';

interface Pending {
  id: number;
  task: WorkerTask;
  resolve(result: unknown): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  busy?: Pending;
  timer?: NodeJS.Timeout;
}

export interface PoolOptions {
  /** Worker threads. */
  size: number;
  /** A task not answered within this many ms is failed and its worker replaced. */
  taskTimeoutMs: number;
  /**
   * Tasks waiting for a worker beyond which new ones are refused at once (the API answers 503) instead
   * of queueing without bound: a burst the pool cannot absorb should be shed, not held in memory until
   * every waiting request has timed out anyway. Default 64.
   */
  maxQueued?: number;
}

/** The error a task gets when the queue is full; callers answer it like any pool failure (503). */
export class PoolBusyError extends Error {
  constructor(queued: number) {
    super(`analysis pool busy: ${queued} tasks already waiting`);
  }
}

/**
 * A fixed set of worker threads decoding and analysing frames and describing faces, so image work never blocks the event
 * loop. Tasks queue in memory and go to the first idle worker. Workers are unref'd: an idle pool does
 * not keep the process alive.
 */
export class AnalysisPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: PoolOptions) {}

  run<T extends WorkerTask>(task: T): Promise<WorkerResult<T>> {
    if (this.closed) return Promise.reject(new Error('analysis pool is closed'));
    const maxQueued = this.options.maxQueued ?? 64;
    if (this.queue.length >= maxQueued) return Promise.reject(new PoolBusyError(this.queue.length));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, task, resolve: resolve as (result: unknown) => void, reject });
      this.dispatch();
    });
  }

  /** Tasks queued or running. */
  get load(): number {
    return this.queue.length + this.slots.filter((s) => s.busy).length;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('analysis pool is closed'));
    // Tasks in flight are answered too: a request must not wait forever on a worker that is gone.
    const slots = this.slots.splice(0);
    for (const slot of slots) {
      const pending = slot.busy;
      this.settle(slot);
      pending?.reject(new Error('analysis pool is closed'));
    }
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.busy);
      if (!slot && this.slots.length < this.options.size) slot = this.spawn();
      if (!slot) return;
      const pending = this.queue.shift() as Pending;
      slot.busy = pending;
      slot.timer = setTimeout(() => this.fail(slot as Slot, new Error('frame analysis timed out')), this.options.taskTimeoutMs);
      // Transfer copies of the frame bytes: the caller's buffers may be views into a larger pool.
      const frames = pending.task.frames.map((f) => new Uint8Array(f));
      slot.worker.postMessage(
        { id: pending.id, task: { ...pending.task, frames } },
        frames.map((f) => f.buffer as ArrayBuffer),
      );
    }
  }

  private spawn(): Slot {
    const file = path.join(__dirname, `analyse-worker${path.extname(__filename)}`);
    // Under tsx (the run command) and under jest the sources are TypeScript. Node 20 does not apply an
    // `--import` loader to a worker's entry file, so a TypeScript worker registers tsx's require hook first.
    const worker = file.endsWith('.ts')
      ? new Worker(`require('tsx/cjs/api').register(); require(${JSON.stringify(file)});`, { eval: true, execArgv: [] })
      : new Worker(file, { execArgv: [] });
    worker.unref();
    const slot: Slot = { worker };
    worker.on('message', (message: { id: number; result?: unknown; error?: string }) => {
      const pending = slot.busy;
      if (!pending || pending.id !== message.id) return;
      this.settle(slot);
      if (message.result) pending.resolve(message.result);
      else pending.reject(new Error(message.error ?? 'frame analysis failed'));
      this.dispatch();
    });
    worker.on('error', (err) => this.fail(slot, err));
    worker.on('exit', () => this.fail(slot, new Error('analysis worker exited')));
    this.slots.push(slot);
    return slot;
  }

  private settle(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.busy = undefined;
  }

  /** Fails the slot's task and replaces the worker, whose state is no longer known. */
  private fail(slot: Slot, err: Error): void {
    const index = this.slots.indexOf(slot);
    if (index === -1) return;
    this.slots.splice(index, 1);
    const pending = slot.busy;
    this.settle(slot);
    slot.worker.removeAllListeners('exit');
    void slot.worker.terminate();
    pending?.reject(err);
    if (!this.closed) this.dispatch();
  }
}
