import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { REDIS_URL } from './test-app';

const ROOT = path.join(__dirname, '..', '..');
const END = 'Stop with Ctrl-C.';

export interface StartedMain {
  /** Everything printed before the banner (the start-up log lines). */
  before: string;
  banner: string;
  /** What the banner says, by label: `sandbox key`, `its hmacKey`, ... (the first word after the label). */
  field(label: string): string | undefined;
  url: string;
  /** What the process printed after the banner so far. */
  after(): string;
  /** SIGTERM, then SIGKILL if it has not exited within 15 s. */
  stop(): Promise<void>;
}

/**
 * Runs `src/main.ts --walkthrough` (what `npm start` runs once Redis is up) with `roles`, PORT 0, the data
 * folder `dataDir` and this run's Redis, until its banner is printed. Stopped again if it does not get there.
 */
export async function startMain(dataDir: string, role: 'all' | 'gateway', env: Record<string, string> = {}): Promise<StartedMain> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--role', role, '--walkthrough'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      VERIGATE_DATA_DIR: dataDir,
      REDIS_URL,
      // Queues of its own on the shared test Redis: jobs other test processes left there are not its work.
      VERIGATE_QUEUE_PREFIX: `main-${randomBytes(4).toString('hex')}`,
      LOG_LEVEL: 'info',
      NODE_ENV: 'development',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Should the test process end without its afterAll (jest stopped), the server must not outlive it.
  const orphaned = () => child.kill('SIGKILL');
  process.once('exit', orphaned);
  child.once('exit', () => process.off('exit', orphaned));
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner within 60 s:\n${stdout}`)), 60_000);
      child.once('exit', (code) => reject(new Error(`exited ${code} before the banner:\n${stdout}`)));
      const poll = setInterval(() => {
        if (!stdout.includes(END)) return;
        clearInterval(poll);
        clearTimeout(timer);
        resolve();
      }, 50);
    });
  } catch (err) {
    await stop();
    throw err;
  }
  const start = stdout.indexOf('verigate is ready at');
  const end = stdout.indexOf(END) + END.length;
  const banner = stdout.slice(start, end);
  const field = (label: string) => new RegExp(`${label}\\s+(\\S+)`).exec(banner)?.[1];
  return {
    before: stdout.slice(0, start),
    banner,
    field,
    url: /verigate is ready at (\S+)/.exec(banner)?.[1] as string,
    // The banner's closing rule is part of it.
    after: () => stdout.slice(end).replace(/^\s*-+\n/, ''),
    stop,
  };
}
