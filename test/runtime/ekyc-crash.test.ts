import { DEFAULT_LAPIS_PATHS } from '../../adapters/lapis/client';
import { mp4DataUri, pngBase64 } from '../adapters/lapis/fixtures';
import { books, get, kill, settled, sleep, useCrashFixture, type Api } from '../helpers/crash-harness';

/**
 * Lapis' eKYC flow as an asynchronous verification whose worker (a real process) is killed with SIGKILL
 * mid-flow: the run after the restart goes on from the steps recorded, makes again only a read left in flight,
 * never a step Lapis may have acted on, and every step Lapis billed is on the ledger once.
 */
jest.setTimeout(90_000);

function ekyc(api: Api, idempotencyKey: string) {
  return fetch(`${api.url}/v1/verifications`, {
    method: 'POST',
    headers: { authorization: `Bearer ${api.key}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
    body: JSON.stringify({
      customerId: api.customerId,
      check: 'ekyc_request',
      mode: 'async',
      input: {
        document: { front: { base64: pngBase64() } },
        face: { base64: pngBase64() },
        video: { base64: mp4DataUri() },
        email: `${idempotencyKey}@example.com`,
        phoneNumber: '+6281234567890',
      },
    }),
  });
}

const steps = (v: Record<string, any>) => (v.attempts as Record<string, any>[]).map((a) => `${a.operation}:${a.charged}`);

describe('an eKYC flow survives SIGKILL of its worker', () => {
  const f = useCrashFixture('lapis');

  it('when the worker dies while a read step is in flight, then the flow goes on after the restart, makes that read again and passes, billed once per verdict', async () => {
    f.gate.only = (method, url) => method === 'GET' && url.startsWith(DEFAULT_LAPIS_PATHS.listRequests);
    f.gate.mode = 'hold';
    const accepted = await ekyc(f.api, 'ekyc-read-in-flight');
    expect(accepted.status).toBe(202);
    const { id } = (await accepted.json()) as { id: string };
    await f.gate.arrived;
    await kill(f.api);
    f.gate.reset();
    const again = await f.restart();

    const [done] = await settled(again);
    expect(done).toMatchObject({ id, status: 'passed', result: { code: 'ekyc_accepted' } });
    const body = await get(again, `/v1/verifications/${id}`);
    expect(steps(body)).toEqual([
      'document_upload:charged',
      'face_authentication:charged',
      'liveliness:charged',
      'kyc_request_create:free',
      'kyc_request_find:free', // the interrupted read: free, and made again
      'kyc_request_find:free',
      'kyc_request_accept:free',
      'kyc_request_get:free',
    ]);
    expect(await books(again, f.simulator.state)).toEqual({ billed: 3, charged: 3, unknown: 0, calls: 7 });
  });

  it('when the worker dies after Lapis answered a billed step, then that step is never made again: the flow ends, booked unknown for reconciliation', async () => {
    let release = () => {};
    f.gate.only = (method, url) => method === 'POST' && url === DEFAULT_LAPIS_PATHS.faceAuthentication;
    f.gate.beforeAnswer = () => new Promise<void>((resolve) => (release = resolve));
    const accepted = await ekyc(f.api, 'ekyc-billed-in-flight');
    const { id } = (await accepted.json()) as { id: string };
    await f.gate.arrived;
    await sleep(300); // Lapis matches the face and bills it; the answer never reaches the worker
    await kill(f.api);
    release();
    f.gate.reset();
    const again = await f.restart();

    const [done] = await settled(again);
    expect(done).toMatchObject({ id, status: 'error' });
    const body = await get(again, `/v1/verifications/${id}`);
    expect(steps(body)).toEqual(['document_upload:charged', 'face_authentication:unknown']);
    expect(await books(again, f.simulator.state)).toEqual({ billed: 2, charged: 1, unknown: 1, calls: 2 });
  });
});
