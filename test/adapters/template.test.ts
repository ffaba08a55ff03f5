import path from 'node:path';
import { ADAPTERS } from '../../adapters';
import { checkName, example } from '../../adapters/_template';
import { EXAMPLE_SANDBOX_CREDENTIALS, startExampleSimulator } from '../../adapters/_template/simulator';
import type { RunningSimulator } from '../../adapters/simulator-kit';
import type { CallContext } from '../../adapters/types';
import { loadErrorMap } from '../../src/gateway/error-map';
import { createRegistry } from '../../src/gateway/registry';

/** The template a new vendor is copied from stays a working vendor: it compiles, loads and answers. */
const registry = createRegistry([...ADAPTERS, example]);
const map = loadErrorMap(undefined, { registry, extraFiles: [path.join(__dirname, '..', '..', 'adapters', '_template', 'error-map.json')] });

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startExampleSimulator(0, EXAMPLE_SANDBOX_CREDENTIALS);
});
afterAll(() => sim?.close());

const ctx = (): CallContext => ({ baseUrl: sim.url, credentials: EXAMPLE_SANDBOX_CREDENTIALS, timeoutMs: 2000 });

describe('adapters/_template', () => {
  it('when it is declared beside the shipped vendors, then it serves name_check and its rows load with the shared transport rows', () => {
    expect(registry.providersServing('name_check')).toEqual(['accuauth', 'example']);
    expect(map.rows('example').map((r) => r.suiteCode)).toEqual(expect.arrayContaining(['identity_match', 'provider_timeout', 'upstream_unmapped']));
  });

  it.each([
    ['3217061012870000', 'identity_match', 'charged'],
    ['3217061012870001', 'identity_mismatch', 'charged'],
    ['3217061012870002', 'identity_not_found', 'free'],
    ['3217061012870009', 'provider_unavailable', 'free'],
  ])('when its simulator is asked about NIK %s, then its rows say %s (%s)', async (idNumber, suiteCode, charged) => {
    const outcome = await checkName(ctx(), { idNumber, name: 'Budi Santoso' });
    const { row } = map.classify('example', 'name_check', outcome.facts);
    expect([row.suiteCode, row.charged]).toEqual([suiteCode, charged]);
  });

  it('when the key is wrong, then the answer is the vendor refusing our credentials', async () => {
    const outcome = await checkName({ ...ctx(), credentials: { apiKey: 'wrong' } }, { idNumber: '3217061012870000', name: 'Budi' });
    expect(map.classify('example', 'name_check', outcome.facts).row).toMatchObject({ suiteCode: 'provider_auth_failed', accountHealth: 'credentials_rejected' });
  });
});
