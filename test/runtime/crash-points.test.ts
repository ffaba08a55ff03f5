import { books, kill, retry, settled, sleep, useCrashFixture, verify } from '../helpers/crash-harness';

/**
 * The API is a real process, killed with SIGKILL at each point of a paid call: before the request leaves,
 * while the vendor works on it, after the vendor answered but before the answer is committed, and after
 * the commit. Every time the books must hold: what the vendor billed equals the ledger's charged rows plus
 * the unknown rows of calls it billed, never two charged attempts, the vendor never called twice for one
 * verification, and (after the retry or the sweep) nothing left `processing`.
 *
 * AccuAuth's simulator sits behind a proxy the test steers: it can hold a request without passing it on,
 * or hold the vendor's answer back while the test does something. On server Postgres (TEST_DATABASE_URL)
 * "after the answer" holds the verification row locked, so the API's last write is waiting on it when the
 * API is killed; on PGlite the kill follows the answer at once.
 */
// Each case starts the API twice (a child process compiling TypeScript, on PGlite re-opening its folder).
jest.setTimeout(90_000);

describe('a paid call survives SIGKILL at every point', () => {
  const f = useCrashFixture();

  it('when the API dies after writing the call ahead but before the request left, then the vendor billed nothing and the retry books it unknown, calling nobody', async () => {
    f.gate.mode = 'hold';
    void verify(f.api, 'before-send').catch(() => undefined);
    await f.gate.arrived; // the call was written ahead: the request only leaves after the first commit
    await kill(f.api);
    f.gate.reset();
    const again = await f.restart();
    const res = await retry(again, 'before-send');
    expect(res.status).toBe(504);
    expect((await res.json()).error).toMatchObject({ code: 'provider_timeout', charged: 'unknown' });
    const verifications = await settled(again);
    expect(verifications.map((v) => v.status)).toEqual(['error']);
    expect(await books(again, f.simulator.state)).toEqual({ billed: 0, charged: 0, unknown: 1, calls: 0 });
  });

  it('when the API dies while the vendor works on the call, then the vendor bills it once and the ledger holds it as unknown, never called again', async () => {
    f.simulator.state.setFaults({ latencyMs: 800 });
    void verify(f.api, 'in-flight').catch(() => undefined);
    await f.gate.arrived;
    await kill(f.api);
    await sleep(1200); // the vendor answers the dead socket, and bills
    const again = await f.restart();
    const res = await retry(again, 'in-flight');
    expect((await res.json()).error).toMatchObject({ code: 'provider_timeout', charged: 'unknown' });
    await settled(again);
    expect(await books(again, f.simulator.state)).toEqual({ billed: 1, charged: 0, unknown: 1, calls: 1 });
  });

  it('when the API dies after the vendor answered but before the answer was committed, then one call, billed once, booked once', async () => {
    const client = f.store.client;
    let killed!: Promise<void>;
    const answered = new Promise<void>((resolve) => {
      f.gate.beforeAnswer = async () => {
        if (client) {
          // Holds the verification row, so the API's last write waits on it with the answer in hand.
          await client.query('BEGIN');
          await client.query(`SELECT 1 FROM verifications WHERE idempotency_key = 'after-answer' FOR UPDATE`);
        }
        killed = (async () => {
          await sleep(client ? 300 : 0);
          await kill(f.api);
          if (client) await client.query('ROLLBACK');
        })();
        resolve();
      };
    });
    void verify(f.api, 'after-answer').catch(() => undefined);
    await answered;
    await killed;
    const again = await f.restart();
    await retry(again, 'after-answer');
    const verifications = await settled(again);
    expect(verifications).toHaveLength(1);
    const b = await books(again, f.simulator.state);
    expect(b.calls).toBe(1);
    expect(b.billed).toBe(1);
    // Either the last write never reached the database (unknown, reconciled later) or, being one statement
    // the server already held when the client died, it completed with the true answer (charged): one row.
    expect(b.charged + b.unknown).toBe(1);
  });

  it('when the API dies after the commit, then the retry replays the stored answer and nothing is called again', async () => {
    const first = await verify(f.api, 'after-commit');
    expect(first.status).toBe(200);
    const body = await first.text();
    await kill(f.api);
    const again = await f.restart();
    const res = await retry(again, 'after-commit');
    expect(res.headers.get('idempotent-replayed')).toBe('true');
    expect(await res.text()).toBe(body);
    expect(await books(again, f.simulator.state)).toEqual({ billed: 1, charged: 1, unknown: 0, calls: 1 });
  });

  it('when a call without an Idempotency-Key is cut off by the kill, then the sweep settles it and nothing stays processing', async () => {
    f.simulator.state.setFaults({ latencyMs: 800 });
    void verify(f.api).catch(() => undefined);
    await f.gate.arrived;
    await kill(f.api);
    const again = await f.restart();
    const verifications = await settled(again);
    expect(verifications.map((v) => [v.status, v.error?.code])).toEqual([['error', 'provider_timeout']]);
    await sleep(1000);
    expect(await books(again, f.simulator.state)).toEqual({ billed: 1, charged: 0, unknown: 1, calls: 1 });
  });
});
