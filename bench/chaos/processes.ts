/**
 * The processes a chaos run owns: verigate roles (`src/main.ts --role ...`) and redis-server, each a child
 * of the harness with its output in a log file. A process that exits when the harness did not stop it is
 * logged on the timeline and started again. None outlives the harness: every node child preloads
 * orphan-guard.ts, redis-server gets a parent-death signal (setpriv).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Component, Timeline } from './timeline';

export const ROOT = path.join(__dirname, '..', '..');
const ORPHAN_GUARD = pathToFileURL(path.join(__dirname, 'orphan-guard.ts')).href;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A TCP port nothing listens on right now (the one the OS picks for port 0). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** A loopback address 127.x.y.z of this run's own on which every simulator port is free (no clash with another verigate). */
export async function simulatorsHost(ports: number[]): Promise<string> {
  for (let i = 0; i < 20; i++) {
    const host = `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
    if ((await Promise.all(ports.map((p) => canBind(p, host)))).every(Boolean)) return host;
  }
  throw new Error(`simulator ports ${ports.join(', ')} are taken on every loopback address tried (something listens on 0.0.0.0?)`);
}

/** Whether `host:port` can be listened on now. */
export function canBind(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

/** Polls `check` until it resolves true, or throws after `timeoutMs`. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  stopEarly?: () => string | undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    const why = stopEarly?.();
    if (why) throw new Error(`${what}: ${why}`);
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** True when an HTTP GET of `url` answers 2xx. */
export async function httpOk(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  return res.ok;
}

/** True when redis-server on `port` answers PING. */
export function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

export interface ProcessSpec {
  name: string;
  /** The timeline component whose down windows this process's kills open. */
  component: Component;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  logFile: string;
  /** Resolves once the process serves; rejects when it does not in time. */
  ready: (alive: () => boolean) => Promise<void>;
}

/** One child process the harness starts, kills (-9) and restarts, and stops at the end. */
export class Supervised {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  private log: WriteStream;
  /** Set while the harness itself kills or stops the process, so that exit is not "unexpected". */
  private intended = false;
  private stopping = false;
  /** Set until the process is ready: an exit then is a failed start, which start() reports. */
  private starting = false;
  unexpectedExits = 0;
  startFailures = 0;

  constructor(
    readonly spec: ProcessSpec,
    private readonly timeline: Timeline,
  ) {
    this.log = createWriteStream(spec.logFile, { flags: 'a' });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get alive(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the process and waits until it is ready; the component counts as up from then on. */
  async start(): Promise<void> {
    const { spec } = this;
    this.starting = true;
    this.log.write(`\n===== start ${new Date().toISOString()} =====\n`);
    const child = spawn(spec.command, spec.args, { cwd: ROOT, env: spec.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout!.pipe(this.log, { end: false });
    child.stderr!.pipe(this.log, { end: false });
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.once('exit', (code, signal) => this.onExit(child, code, signal));
    try {
      await spec.ready(() => child.exitCode === null && child.signalCode === null);
    } catch (err) {
      if (this.alive) {
        this.intended = true;
        child.kill('SIGKILL');
        await this.exited;
        this.intended = false;
      }
      throw new Error(`${spec.name} did not start: ${(err as Error).message}\n--- ${spec.logFile} (tail) ---\n${tail(spec.logFile, 8)}`);
    } finally {
      this.starting = false;
    }
    this.timeline.up(spec.component);
  }

  /**
   * Starts the process, trying again every second for up to `maxMs` when it fails to (the API refuses to
   * start while Redis is down, say); each failure is logged on the timeline. Returns the failures.
   */
  async startRetrying(maxMs = 180_000): Promise<number> {
    const deadline = Date.now() + maxMs;
    for (let failures = 0; ; failures++) {
      if (this.stopping) return failures;
      try {
        await this.start();
        return failures;
      } catch (err) {
        // main.ts prints `verigate: <error>` when the start fails; else the harness's own reason.
        const lines = (err as Error).message.split('\n');
        const why = lines.find((l) => l.startsWith('verigate: ')) ?? lines[0] ?? '';
        this.timeline.log(`${this.spec.name} failed to start (${why.trim().slice(0, 160)}); trying again`);
        this.startFailures += 1;
        if (Date.now() > deadline) throw err;
        await sleep(1000);
      }
    }
  }

  /** kill -9, waiting until it is gone. The component is down from now until the next start. */
  async kill9(): Promise<void> {
    if (!this.child || !this.alive) return;
    this.intended = true;
    this.timeline.down(this.spec.component);
    this.child.kill('SIGKILL');
    await this.exited;
    this.intended = false;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; no restart afterwards. */
  async stop(graceMs = 20_000): Promise<void> {
    this.stopping = true;
    if (this.child && this.alive) {
      this.intended = true;
      this.child.kill('SIGTERM');
      const late = await Promise.race([this.exited!.then(() => false), sleep(graceMs).then(() => true)]);
      if (late && this.alive) {
        this.child.kill('SIGKILL');
        await this.exited;
      }
    }
    await new Promise<void>((resolve) => this.log.end(resolve));
  }

  /** Last resort on the way out: SIGKILL without waiting. */
  killNow(): void {
    this.stopping = true;
    if (this.child && this.alive) this.child.kill('SIGKILL');
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.intended || this.stopping || this.starting || child !== this.child) return;
    this.unexpectedExits += 1;
    this.timeline.down(this.spec.component);
    this.timeline.log(`${this.spec.name} exited on its own (code ${code}, signal ${signal}); restarting in 1 s`);
    void sleep(1000).then(async () => {
      if (this.stopping || child !== this.child) return;
      await this.startRetrying().then(
        () => this.timeline.log(`${this.spec.name} restarted after exiting on its own`),
        (err) => this.timeline.log(`${this.spec.name} failed to restart: ${(err as Error).message.split('\n')[0]}`),
      );
    });
  }
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export interface VerigateEnv {
  databaseUrl: string;
  redisUrl: string;
  masterKey: string;
  dataDir: string;
  simulatorsHost: string;
  /** More environment for every role (queue prefix, webhook allow-list, the gateway's URL for the simulators). */
  extra?: NodeJS.ProcessEnv;
}

/** A verigate role as its own process: `node --import tsx --import orphan-guard src/main.ts --role <role>`. */
export function verigateSpec(
  role: 'api' | 'worker' | 'simulators',
  env: VerigateEnv,
  logFile: string,
  options: { port?: number; host: string; ready: ProcessSpec['ready'] },
): ProcessSpec {
  return {
    name: role,
    component: role,
    command: process.execPath,
    args: ['--import', 'tsx', '--import', ORPHAN_GUARD, 'src/main.ts', '--role', role],
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      PORT: String(options.port ?? 0),
      HOST: options.host,
      DATABASE_URL: env.databaseUrl,
      REDIS_URL: env.redisUrl,
      VERIGATE_MASTER_KEY: env.masterKey,
      VERIGATE_DATA_DIR: env.dataDir,
      VERIGATE_SIMULATORS_HOST: env.simulatorsHost,
      VERIGATE_SIMULATORS_LISTEN: env.simulatorsHost,
      VERIGATE_RATE_LIMITS_FILE: path.join(__dirname, 'rate-limits.json'),
      ...env.extra,
    },
    logFile,
    ready: options.ready,
  };
}

/** Whether util-linux's setpriv can give a child a parent-death signal (it execs, so the pid stays the child's). */
function hasSetpriv(): boolean {
  return spawnSync('setpriv', ['--help'], { encoding: 'utf8' }).stdout?.includes('--pdeathsig') ?? false;
}

/**
 * redis-server on `port`, append-only file (fsync every second) under `dir`: restarted on the same files.
 * Started through `setpriv --pdeathsig SIGKILL` when available, so it too dies with the harness.
 */
export function redisSpec(port: number, dir: string, logFile: string): ProcessSpec {
  const guard = hasSetpriv() ? ['--pdeathsig', 'SIGKILL', 'redis-server'] : [];
  return {
    name: 'redis',
    component: 'redis',
    command: guard.length ? 'setpriv' : 'redis-server',
    args: [
      ...guard,
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
      '--daemonize',
      'no',
    ],
    env: process.env,
    logFile,
    ready: (alive) =>
      waitUntil(
        'redis-server',
        () => redisPing(port),
        15_000,
        () => (alive() ? undefined : 'exited'),
      ),
  };
}
