import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KeyMaterial } from '../../src/tenancy/key-material';
import { authenticateKey, revokeKey } from '../../src/tenancy/keys-repo';
import { prepareWalkthrough } from '../../src/walkthrough';
import { memoryDb, REDIS_URL } from '../helpers/test-app';

const ROOT = path.join(__dirname, '..', '..');

describe('the walk-through key', () => {
  it('when prepared again with the same master key, then it is the same key and hmacKey; another master key gives another', async () => {
    const db = await memoryDb();
    try {
      const keys = new KeyMaterial(Buffer.alloc(32, 7));
      const first = await prepareWalkthrough(db, keys, new Date());
      const again = await prepareWalkthrough(db, keys, new Date());
      expect(again.key).toBe(first.key);
      expect(again.hmacKey).toBe(first.hmacKey);
      expect(again.id).toBe(first.id);
      expect(await authenticateKey(db, keys, first.key)).toMatchObject({ id: first.id, mode: 'test' });
      expect(new KeyMaterial(Buffer.alloc(32, 8)).derive('test', 'walk-through').plaintext).not.toBe(
        keys.derive('test', 'walk-through').plaintext,
      );

      // Revoked by hand, it stays revoked: the next start issues another key, itself stable from then on.
      await revokeKey(db, first.orgId, first.id, new Date());
      const next = await prepareWalkthrough(db, keys, new Date());
      expect(next.key).not.toBe(first.key);
      expect(await authenticateKey(db, keys, first.key)).toBeNull();
      expect((await prepareWalkthrough(db, keys, new Date())).key).toBe(next.key);
    } finally {
      await db.close();
    }
  });
});

/** Runs `src/main.ts --walkthrough` (api and workers, embedded PGlite in `dataDir`) until the banner is printed, then stops it. */
async function startOnce(dataDir: string): Promise<{ stdout: string; banner: string; afterBanner: string }> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--role', 'gateway', '--walkthrough'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      VERIGATE_DATA_DIR: dataDir,
      REDIS_URL,
      LOG_LEVEL: 'info',
      NODE_ENV: 'development',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner within 60 s:\n${stdout}`)), 60_000);
      child.once('exit', (code) => reject(new Error(`exited ${code} before the banner:\n${stdout}`)));
      const poll = setInterval(() => {
        if (stdout.includes('Stop with Ctrl-C.')) {
          clearInterval(poll);
          clearTimeout(timer);
          resolve();
        }
      }, 50);
    });
    const at = stdout.indexOf('verigate is ready at');
    // Whatever the process logs in the next moment (a late start-up line would land here).
    await new Promise((resolve) => setTimeout(resolve, 500));
    const end = stdout.indexOf('Stop with Ctrl-C.');
    return {
      stdout: stdout.slice(0, at),
      banner: stdout.slice(at, end),
      afterBanner: stdout.slice(end + 'Stop with Ctrl-C.'.length).replace(/^\s*-+\n/, ''),
    };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

describe('npm start (src/main.ts --walkthrough)', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'verigate-walkthrough-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('when started twice on one data folder, then it says what it warms up, prints the banner last, and the key and hmacKey survive the restart', async () => {
    const first = await startOnce(dataDir);
    for (const step of [
      'warm-up: loading the error catalog',
      'warm-up: opening the embedded PGlite',
      'warm-up: database ready',
      'warm-up: connecting to Redis',
    ]) {
      expect(first.stdout).toContain(step);
    }
    expect(first.afterBanner.trim()).toBe('');
    const field = (banner: string, name: string) => new RegExp(`${name}\\s+(\\S+)`).exec(banner)?.[1];
    const key = field(first.banner, 'sandbox key');
    const hmacKey = field(first.banner, 'its hmacKey');
    expect(key).toMatch(/^vk_test_[0-9A-Za-z]{44}$/);
    expect(hmacKey).toMatch(/^[0-9a-f]{64}$/);
    expect(first.banner).toMatch(/API reference\s+http:\/\/127\.0\.0\.1:\d+\/docs/);
    expect(first.banner).toContain('VERIGATE_REDIS_PORT');
    // The key is only ever on the banner, never in a log line.
    expect(first.stdout).not.toContain(key);
    expect(first.stdout).not.toContain(hmacKey);

    const second = await startOnce(dataDir);
    expect(field(second.banner, 'sandbox key')).toBe(key);
    expect(field(second.banner, 'its hmacKey')).toBe(hmacKey);
  }, 150_000);
});
