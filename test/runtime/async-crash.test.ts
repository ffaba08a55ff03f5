import { books, get, kill, settled, sleep, useCrashFixture, verify } from '../helpers/crash-harness';

/**
 * Asynchronous verifications whose worker is a real process killed with SIGKILL mid-chain (the API and the
 * worker share the fixture's process): the verification ends once, the vendor is called at most once for it,
 * what it billed is on the ledger (charged, or unknown for reconciliation), and the accepted reply replays.
 */
jest.setTimeout(90_000);

describe('an async verification survives SIGKILL of its worker', () => {
  const f = useCrashFixture();

  it('when the worker dies while the vendor works on the call, then the verification ends once, billed once and booked unknown', async () => {
    f.simulator.state.setFaults({ latencyMs: 800 });
    const accepted = await verify(f.api, 'async-in-flight', { mode: 'async' });
    expect(accepted.status).toBe(202);
    const reply = await accepted.text();
    const id = (JSON.parse(reply) as { id: string }).id;
    await f.gate.arrived;
    await kill(f.api);
    await sleep(1200); // the vendor answers the dead socket, and bills
    const again = await f.restart();

    const verifications = await settled(again);
    expect(verifications.map((v) => [v.id, v.status, v.error?.code])).toEqual([[id, 'error', 'provider_timeout']]);
    const body = await get(again, `/v1/verifications/${id}`);
    expect(body.attempts).toHaveLength(1);
    expect(body.attempts[0]).toMatchObject({ provider: 'accuauth', charged: 'unknown' });
    expect(await books(again, f.simulator.state)).toEqual({ billed: 1, charged: 0, unknown: 1, calls: 1 });

    // The integrator's retry with its key gets the accepted reply again; nothing runs twice.
    const retried = await verify(again, 'async-in-flight', { mode: 'async' });
    expect(retried.status).toBe(202);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect(await retried.text()).toBe(reply);
    await sleep(500);
    expect((await books(again, f.simulator.state)).calls).toBe(1);
  });

  it('when the worker dies after writing the call ahead but before it left, then the vendor bills nothing and it is booked unknown', async () => {
    f.gate.mode = 'hold';
    const accepted = await verify(f.api, 'async-before-send', { mode: 'async' });
    expect(accepted.status).toBe(202);
    await f.gate.arrived;
    await kill(f.api);
    f.gate.reset();
    const again = await f.restart();
    const verifications = await settled(again);
    expect(verifications.map((v) => v.status)).toEqual(['error']);
    expect(await books(again, f.simulator.state)).toEqual({ billed: 0, charged: 0, unknown: 1, calls: 0 });
  });
});
