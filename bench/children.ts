/**
 * The bench's child processes: the load generator (bench/load-child.ts) and AccuAuth's simulator
 * (bench/simulator-child.ts). Out of the measuring process, their CPU does not count as the server's in
 * `process.cpuUsage()` and their event loops do not queue behind it (they still share the machine's cores).
 * `fork` passes this process's execArgv on, so the children load TypeScript as this process does (tsx).
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface LoadRequest {
  target: Pick<Target, 'url' | 'headers' | 'body'>;
  concurrency: number;
  seconds: number;
}

export interface RunResult {
  /** Answers read (any status). */
  requests: number;
  /** Non-200 answers and failed requests. */
  errors: number;
  rps: number;
  p50: number;
  p99: number;
}

/** Forks `file` (next to this module) and waits for its first message, which must carry `ready: true`. */
function forkReady<T>(file: string): Promise<{ child: ChildProcess; ready: T }> {
  const child = fork(path.join(__dirname, file), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${file} exited (${code}) before it was ready`));
    child.once('error', reject);
    child.once('exit', onExit);
    child.once('message', (m: T) => {
      child.off('exit', onExit);
      resolve({ child, ready: m });
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.disconnect();
  });
}

export interface LoadClient {
  /** One closed-loop run against `target`; resolves when every client has had its last answer. */
  run(target: Target, concurrency: number, seconds: number): Promise<RunResult>;
  close(): Promise<void>;
}

export async function startLoadClient(): Promise<LoadClient> {
  const { child } = await forkReady<{ ready: true }>('load-child.ts');
  let next = 0;
  return {
    run(target, concurrency, seconds) {
      const id = next++;
      return new Promise((resolve, reject) => {
        const onMessage = (m: { id: number; result: RunResult }) => {
          if (m.id !== id) return;
          child.off('message', onMessage);
          child.off('exit', onExit);
          resolve(m.result);
        };
        const onExit = () => reject(new Error('the load generator exited during a run'));
        child.on('message', onMessage);
        child.once('exit', onExit);
        const request: LoadRequest = { target: { url: target.url, headers: target.headers, body: target.body }, concurrency, seconds };
        child.send({ id, ...request });
      });
    },
    close: () => stop(child),
  };
}

export interface SimulatorProcess {
  url: string;
  /** The simulator's billing counters so far (all scenarios). */
  billing(): Promise<{ totalCalls: number; totalCharged: number }>;
  close(): Promise<void>;
}

export async function startSimulator(): Promise<SimulatorProcess> {
  const { child, ready } = await forkReady<{ ready: true; url: string }>('simulator-child.ts');
  return {
    url: ready.url,
    async billing() {
      const res = await fetch(`${ready.url}/__sim/billing`);
      return (await res.json()) as { totalCalls: number; totalCharged: number };
    },
    close: () => stop(child),
  };
}
