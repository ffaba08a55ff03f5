import { engineConfig } from '../../src/engine/engine-config';
import { AnalysisPool, PoolBusyError } from '../../src/engine/pool';

const face = engineConfig().face;
const notAnImage = () => ({ op: 'describe' as const, frames: [new Uint8Array([1, 2, 3, 4])] as [Uint8Array], face });

describe('engine worker pool', () => {
  it('when more tasks wait than maxQueued, then the next is refused at once and the queued ones still finish', async () => {
    const pool = new AnalysisPool({ size: 1, taskTimeoutMs: 60_000, maxQueued: 2 });
    try {
      // One runs, two wait, the fourth is refused before it is queued.
      const accepted = [pool.run(notAnImage()), pool.run(notAnImage()), pool.run(notAnImage())];
      await expect(pool.run(notAnImage())).rejects.toBeInstanceOf(PoolBusyError);
      const results = await Promise.all(accepted);
      expect(results).toEqual([0, 1, 2].map(() => ({ ok: false, undecodableFrame: 0 })));
      // Once the queue drained, tasks are accepted again.
      await expect(pool.run(notAnImage())).resolves.toEqual({ ok: false, undecodableFrame: 0 });
    } finally {
      await pool.close();
    }
  });

  it('when the pool is closed, then running and waiting tasks are rejected and new ones refused', async () => {
    const pool = new AnalysisPool({ size: 1, taskTimeoutMs: 60_000 });
    const running = expect(pool.run(notAnImage())).rejects.toThrow('analysis pool is closed');
    const waiting = expect(pool.run(notAnImage())).rejects.toThrow('analysis pool is closed');
    await pool.close();
    await Promise.all([running, waiting]);
    await expect(pool.run(notAnImage())).rejects.toThrow('analysis pool is closed');
  });
});
