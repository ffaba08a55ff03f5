import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';

const base = { NODE_ENV: 'test', VERIGATE_MASTER_KEY: 'ab'.repeat(32) } as const;

describe('configuration fails fast, naming the bad setting', () => {
  it('when PORT is not a number, then loading fails naming PORT', () => {
    expect(() => loadConfig({ ...base, PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, PORT: 'eighty' })).toThrow(/PORT/);
  });

  it('when DATABASE_URL is not a postgres URL, then loading fails naming it', () => {
    expect(() => loadConfig({ ...base, DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL: must be a postgres:\/\/ URL/);
  });

  it('when production runs without a master key, then loading fails naming VERIGATE_MASTER_KEY', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/VERIGATE_MASTER_KEY: required in production/);
  });

  it('when the master key is too short, then loading fails naming it', () => {
    expect(() => loadConfig({ ...base, VERIGATE_MASTER_KEY: 'abc' })).toThrow(/VERIGATE_MASTER_KEY/);
  });

  it('when a config file has a wrong value, then loading fails naming the file and the setting', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'verigate-config-'));
    cpSync(path.join(__dirname, '..', '..', 'config'), dir, { recursive: true });
    writeFileSync(path.join(dir, 'rate-limits.json'), JSON.stringify({ operations: { 'ktp.capture': { limit: -1, windowSeconds: 60 } } }));
    expect(() => loadConfig(base, dir)).toThrow(/rate-limits\.json[\s\S]*operations\.ktp\.capture\.limit/);
  });

  it('when everything is valid, then the defaults of config/*.json are in force', () => {
    const config = loadConfig(base);
    expect(config.port).toBe(8080);
    expect(config.rateLimits['ktp.capture']).toEqual({ limit: 20, windowSeconds: 60 });
    expect(config.idempotency.retentionHours).toBeGreaterThanOrEqual(24);
  });

  it('when no master key is set outside production, then one is created once and reused', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'verigate-data-'));
    const first = loadConfig({ NODE_ENV: 'development', VERIGATE_DATA_DIR: dataDir }).masterKey;
    const second = loadConfig({ NODE_ENV: 'development', VERIGATE_DATA_DIR: dataDir }).masterKey;
    expect(first).toHaveLength(32);
    expect(second.equals(first)).toBe(true);
  });
});

describe('where the vendor simulators listen', () => {
  it('when nothing says otherwise, then loopback, even with the API on every interface (their /__sim controls have no auth)', () => {
    expect(loadConfig({ ...base, HOST: '0.0.0.0' }).simulatorsListen).toBe('127.0.0.1');
  });

  it('when VERIGATE_SIMULATORS_LISTEN is set, then there', () => {
    expect(loadConfig({ ...base, VERIGATE_SIMULATORS_LISTEN: '0.0.0.0' }).simulatorsListen).toBe('0.0.0.0');
  });
});

describe('the chaos run\'s rate limits', () => {
  it('when config/rate-limits.json names an operation, then bench/chaos/rate-limits.json does too (the app refuses to start without it)', () => {
    const shipped = loadConfig(base).rateLimits;
    const chaos = loadConfig({ ...base, VERIGATE_RATE_LIMITS_FILE: path.join(__dirname, '..', '..', 'bench', 'chaos', 'rate-limits.json') }).rateLimits;
    expect(Object.keys(chaos).sort()).toEqual(Object.keys(shipped).sort());
  });
});
