import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { openDb } from '../../src/store/db';
import { KeyMaterial } from '../../src/tenancy/key-material';
import { authenticateOperatorKey } from '../../src/ops/operator-keys-repo';
import { authenticateKey } from '../../src/tenancy/keys-repo';
import { TEST_MASTER_KEY } from '../helpers/test-app';

const run = promisify(execFile);
const BIN = path.join(__dirname, '..', '..', 'bin', 'verigate.js');
let dataDir: string;

const verigate = (...args: string[]) =>
  run(process.execPath, [BIN, ...args], { env: { ...process.env, NODE_OPTIONS: '', VERIGATE_DATA_DIR: dataDir, VERIGATE_MASTER_KEY: TEST_MASTER_KEY } });

beforeAll(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'verigate-cli-'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('npx verigate', () => {
  it('when an org and a live key are created, then both print as JSON and the key authenticates with its scopes', async () => {
    const org = JSON.parse((await verigate('org', 'create', '--name', 'Acme', '--capabilities', 'dukcapil')).stdout);
    expect(org).toMatchObject({ name: 'Acme', capabilities: ['dukcapil'] });
    const key = JSON.parse((await verigate('key', 'create', '--org', org.id, '--scopes', 'verifications:write,verifications:view', '--live')).stdout);
    expect(key).toMatchObject({ orgId: org.id, mode: 'live', scopes: ['verifications:write', 'verifications:view'] });
    expect(key.key).toMatch(/^vk_live_/);
    expect(key.hmacKey).toMatch(/^[0-9a-f]{64}$/);

    const db = await openDb({ pgliteDir: path.join(dataDir, 'pglite') });
    try {
      const found = await authenticateKey(db, new KeyMaterial(Buffer.from(TEST_MASTER_KEY, 'hex')), key.key);
      expect(found).toMatchObject({ id: key.id, orgId: org.id, mode: 'live' });
    } finally {
      await db.close();
    }
  }, 60_000);

  it('when a scope is unknown, then it exits 2 naming the value and prints no key', async () => {
    const org = JSON.parse((await verigate('org', 'create', '--name', 'Beta')).stdout);
    await expect(verigate('key', 'create', '--org', org.id, '--scopes', 'everything')).rejects.toMatchObject({
      code: 2,
      stdout: '',
      stderr: expect.stringContaining('--scopes: unknown value "everything"'),
    });
  }, 60_000);

  it('when asked for help, then the commands are listed', async () => {
    const { stdout } = await verigate('--help');
    expect(stdout).toContain('key create --org <org_id> --scopes');
  });

  it('when an operator key is created, then it is shown once, authenticates only as an operator, and revoking it stops it', async () => {
    const issued = JSON.parse((await verigate('operator', 'create', '--name', 'on-call Sari')).stdout);
    expect(issued).toMatchObject({ id: expect.stringMatching(/^opk_/), name: 'on-call Sari', key: expect.stringMatching(/^vk_op_/) });
    const listed = JSON.parse((await verigate('operator', 'list')).stdout);
    expect(listed.find((k: { id: string }) => k.id === issued.id)).not.toHaveProperty('key');
    const db = await openDb({ pgliteDir: path.join(dataDir, 'pglite') });
    try {
      const keys = new KeyMaterial(Buffer.from(TEST_MASTER_KEY, 'hex'));
      expect(await authenticateOperatorKey(db, keys, issued.key)).toMatchObject({ id: issued.id });
      expect(await authenticateKey(db, keys, issued.key)).toBeNull();
    } finally {
      await db.close();
    }
    await verigate('operator', 'revoke', '--id', issued.id);
    const db2 = await openDb({ pgliteDir: path.join(dataDir, 'pglite') });
    try {
      expect(await authenticateOperatorKey(db2, new KeyMaterial(Buffer.from(TEST_MASTER_KEY, 'hex')), issued.key)).toBeNull();
    } finally {
      await db2.close();
    }
  });
});
