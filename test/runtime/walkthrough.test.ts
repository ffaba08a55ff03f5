import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KeyMaterial } from '../../src/tenancy/key-material';
import { authenticateKey, revokeKey } from '../../src/tenancy/keys-repo';
import { prepareWalkthrough } from '../../src/walkthrough';
import { startMain } from '../helpers/start-main';
import { memoryDb } from '../helpers/test-app';

describe('the walk-through key', () => {
  it('when prepared again with the same master key, then it is the same key and hmacKey; another master key gives another', async () => {
    const db = await memoryDb();
    try {
      const keys = new KeyMaterial(Buffer.alloc(32, 7));
      const first = (await prepareWalkthrough(db, keys, new Date())).tenant;
      const again = (await prepareWalkthrough(db, keys, new Date())).tenant;
      expect(again.key).toBe(first.key);
      expect(again.hmacKey).toBe(first.hmacKey);
      expect(again.id).toBe(first.id);
      expect(await authenticateKey(db, keys, first.key)).toMatchObject({ id: first.id, mode: 'test' });
      expect(new KeyMaterial(Buffer.alloc(32, 8)).derive('test', 'walk-through').plaintext).not.toBe(
        keys.derive('test', 'walk-through').plaintext,
      );

      // Revoked by hand, it stays revoked: the next start issues another key, itself stable from then on.
      await revokeKey(db, first.orgId, first.id, new Date());
      const next = (await prepareWalkthrough(db, keys, new Date())).tenant;
      expect(next.key).not.toBe(first.key);
      expect(await authenticateKey(db, keys, first.key)).toBeNull();
      expect((await prepareWalkthrough(db, keys, new Date())).tenant.key).toBe(next.key);
    } finally {
      await db.close();
    }
  });
});

/** Starts, waits a moment for any late log line, stops. */
async function startOnce(dataDir: string) {
  const main = await startMain(dataDir, 'gateway');
  try {
    await new Promise((resolve) => setTimeout(resolve, 500));
    return { stdout: main.before, banner: main.banner, afterBanner: main.after(), field: main.field };
  } finally {
    await main.stop();
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
    const key = first.field('sandbox key') as string;
    const hmacKey = first.field('its hmacKey') as string;
    expect(key).toMatch(/^vk_test_[0-9A-Za-z]{44}$/);
    expect(hmacKey).toMatch(/^[0-9a-f]{64}$/);
    expect(first.banner).toMatch(/API reference\s+http:\/\/127\.0\.0\.1:\d+\/docs/);
    expect(first.banner).toMatch(/ops console\s+http:\/\/127\.0\.0\.1:\d+\/console /);
    expect(first.banner).toContain('VERIGATE_REDIS_PORT');
    // The key is only ever on the banner, never in a log line.
    expect(first.stdout).not.toContain(key);
    expect(first.stdout).not.toContain(hmacKey);
    const operator = first.field('operator key') as string;
    expect(operator).toMatch(/^vk_op_[0-9A-Za-z]{44}$/);
    expect(first.stdout).not.toContain(operator);

    const second = await startOnce(dataDir);
    expect(second.field('sandbox key')).toBe(key);
    expect(second.field('its hmacKey')).toBe(hmacKey);
    // The operator key acts on every tenant: a new one on every start.
    expect(second.field('operator key')).not.toBe(operator);
  }, 150_000);
});
