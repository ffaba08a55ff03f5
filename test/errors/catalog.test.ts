import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadErrorCatalog, renderMessage } from '../../src/errors/catalog';

// A verbatim copy of ../shared/seeds/000_*.txt, kept in the repo so a fresh clone tests against it.
const SEED_000 = path.join(__dirname, '..', 'fixtures', 'seeds', '000-identity-platform-errors.txt');
const catalog = loadErrorCatalog();

/** Seed 000's tables run status, message and meaning together on one line: `400flash challenge expiredTTL ...`. */
const seedLines = readFileSync(SEED_000, 'utf8')
  .split('\n')
  .filter((line) => /^\d{3}[a-z]/.test(line));

const seeded = catalog.entries().filter((e) => e.seed?.doc === '000');

describe('error catalog against seed 000', () => {
  it('when the seed is read, then it has the 19 documented error lines', () => {
    expect(seedLines).toHaveLength(19);
  });

  it.each(seedLines.map((line) => [line.slice(0, 60), line]))('when the seed says "%s...", then exactly one catalog entry renders that status and message', (_, line) => {
    const owners = seeded.filter((e) => line.startsWith(`${e.status}${renderMessage(e.message, e.seed?.example)}`));
    expect(owners).toHaveLength(1);
  });

  it('when an entry claims seed 000, then its line is in the seed', () => {
    for (const entry of seeded) {
      const rendered = `${entry.status}${renderMessage(entry.message, entry.seed?.example)}`;
      expect(seedLines.some((line) => line.startsWith(rendered))).toBe(true);
    }
    expect(seeded).toHaveLength(seedLines.length);
  });
});

describe('error catalog of the gateway', () => {
  it.each([
    'invalid_request', 'api_key_missing', 'api_key_invalid', 'missing_scope', 'resource_not_found', 'route_not_found', 'method_not_allowed',
    'idempotency_key_in_use', 'idempotency_key_reused', 'rate_limited', 'provider_unavailable', 'provider_timeout',
    'provider_quota_exhausted', 'provider_auth_failed', 'provider_not_configured', 'upstream_unmapped', 'internal_error',
  ])('when the gateway needs %s, then the catalog has it', (code) => {
    expect(catalog.has(code)).toBe(true);
  });

  it('when a catalog file repeats a code, then loading fails naming it', () => {
    const tmp = path.join(tmpdir(), `catalog-${process.pid}.json`);
    const file = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'config', 'error-catalog.json'), 'utf8'));
    file.errors.push(file.errors[0]);
    writeFileSync(tmp, JSON.stringify(file));
    expect(() => loadErrorCatalog(tmp)).toThrow(/duplicate error code flash_challenge_expired/);
  });
});
