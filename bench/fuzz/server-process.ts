/** The fuzz server (fuzz-server.ts) as a child process: started, watched for an exit, stopped. */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { FuzzTarget } from './fuzz';

const ROOT = path.join(__dirname, '..', '..');

export interface FuzzServer {
  target: FuzzTarget;
  /** Why the server exited, when it did (a crash is a finding). */
  exited(): string | undefined;
  stop(): Promise<void>;
}

/** Starts the server; `env` adds DATABASE_URL, REDIS_URL and the like. Its data folder is removed when it stops. */
export function startFuzzServer(env: NodeJS.ProcessEnv): Promise<FuzzServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'verigate-fuzz-'));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fuzz-server.ts')], {
    cwd: ROOT,
    // Queues of its own: the events it records are announced on them, not on another run's sharing the Redis.
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      VERIGATE_DATA_DIR: dataDir,
      VERIGATE_QUEUE_PREFIX: `fuzz-${randomBytes(4).toString('hex')}`,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let exit: string | undefined;
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const ended = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      exit = `exited with ${signal ?? code}: ${stderr.trim().split('\n').slice(-5).join(' | ')}`;
      rmSync(dataDir, { recursive: true, force: true });
      resolve();
    }),
  );
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      const target = JSON.parse(line) as FuzzTarget;
      resolve({
        target,
        exited: () => exit,
        async stop() {
          // Drains live in the shared Redis: the one the operator-key fuzzing may have left is lifted.
          if (exit === undefined) {
            await fetch(`${target.url}/v1/ops/providers/inhouse/restore`, {
              method: 'POST',
              headers: { authorization: `Bearer ${target.operatorKey}`, 'content-type': 'application/json' },
              body: JSON.stringify({ reason: 'end of the fuzz run' }),
            }).catch(() => undefined);
            child.kill('SIGTERM');
          }
          const late = setTimeout(() => child.kill('SIGKILL'), 20_000);
          await ended;
          clearTimeout(late);
        },
      });
    });
    void ended.then(() => reject(new Error(`fuzz server ${exit}`)));
  });
}
