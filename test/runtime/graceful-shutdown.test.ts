import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { openDb } from '../../src/store/db';
import { REDIS_URL, TEST_MASTER_KEY } from '../helpers/test-app';

const ROOT = path.join(__dirname, '..', '..');

interface Child {
  child: ChildProcess;
  url: string;
  key: string;
  orgId: string;
  /** Resolves at the next line the server prints. */
  nextLine(): Promise<string>;
}

function startChild(dataDir: string): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/slow-server.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      PORT: '0',
      HOST: '127.0.0.1',
      REDIS_URL,
      // Queues of its own on the shared test Redis.
      VERIGATE_QUEUE_PREFIX: `shutdown-${randomBytes(4).toString('hex')}`,
      VERIGATE_DATA_DIR: dataDir,
      VERIGATE_MASTER_KEY: TEST_MASTER_KEY,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const nextLine = () => new Promise<string>((resolve) => lines.once('line', resolve));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited early with ${code}`)));
    nextLine().then((line) => resolve({ child, nextLine, ...JSON.parse(line) }));
  });
}

describe('graceful shutdown', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'verigate-shutdown-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('when SIGTERM arrives during a slow request, then that request completes, new connections are refused, and its write is on disk', async () => {
    const { child, url, key, orgId, nextLine } = await startChild(dataDir);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const started = nextLine();

    const slow = fetch(`${url}/v1/_test/slow-customers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': 'during-shutdown' },
      body: JSON.stringify({ externalRef: 'in-flight', delayMs: 1500 }),
    });
    expect(await started).toBe('handler started');
    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));

    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    const res = await slow;
    expect(res.status).toBe(201);
    const customer = await res.json();
    expect(await exited).toBe(0);

    const db = await openDb({ pgliteDir: path.join(dataDir, 'pglite') });
    try {
      const saved = await db.query('SELECT id FROM customers WHERE org_id = $1', [orgId]);
      expect(saved.rows).toEqual([{ id: customer.id }]);
      const idem = await db.query('SELECT state, response_status FROM idempotency_keys WHERE key = $1', ['during-shutdown']);
      expect(idem.rows).toEqual([{ state: 'done', response_status: 201 }]);
    } finally {
      await db.close();
    }
  }, 30_000);
});
