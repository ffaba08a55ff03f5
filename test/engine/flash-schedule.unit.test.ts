import { AppError } from '../../src/errors/app-error';
import { engineConfig } from '../../src/engine/engine-config';
import { frameOutsideSchedule, randomSchedule } from '../../src/engine/flash-schedule';
import { issueChallenge } from '../../src/engine/issue-challenge';
import type { Queryable } from '../../src/store/db';

describe('timed flash challenges (version 2)', () => {
  const settings = { minColourMs: 300, maxColourMs: 700, settleMs: 100 };

  it('when a schedule is drawn, then its windows follow each other from 0 and each lasts between the bounds', () => {
    for (let run = 0; run < 200; run++) {
      const schedule = randomSchedule(8, settings);
      expect(schedule[0]?.startMs).toBe(0);
      for (const [i, w] of schedule.entries()) {
        if (i > 0) expect(w.startMs).toBe(schedule[i - 1]?.endMs);
        expect(w.endMs - w.startMs).toBeGreaterThanOrEqual(300);
        expect(w.endMs - w.startMs).toBeLessThanOrEqual(700);
      }
    }
  });

  it('when schedules are drawn, then their lengths vary (the timing is not a fixed cadence)', () => {
    const durations = new Set(Array.from({ length: 50 }, () => randomSchedule(1, settings)[0]!.endMs));
    expect(durations.size).toBeGreaterThan(20);
  });

  describe('frameOutsideSchedule', () => {
    const schedule = [
      { startMs: 0, endMs: 400 },
      { startMs: 400, endMs: 1000 },
      { startMs: 1000, endMs: 1300 },
    ];

    it('when every frame is taken inside its settled window, edges included, then none is outside', () => {
      expect(frameOutsideSchedule([100, 1000, 1100], schedule, 100)).toBeNull();
      expect(frameOutsideSchedule([400, 500, 1300], schedule, 100)).toBeNull();
    });

    it('when a frame is taken before its colour settled, then that frame is named', () => {
      expect(frameOutsideSchedule([200, 450, 1200], schedule, 100)).toMatchObject({ frame: 1 });
    });

    it("when a frame is taken after its colour's window, then that frame is named", () => {
      expect(frameOutsideSchedule([200, 700, 1301], schedule, 100)).toMatchObject({ frame: 2 });
    });

    it('when frames come in the wrong order, then the first one out of its window is named', () => {
      expect(frameOutsideSchedule([700, 200, 1200], schedule, 100)).toMatchObject({ frame: 0 });
    });

    it('when there is not one time per colour, then that is the reason', () => {
      expect(frameOutsideSchedule([200, 700], schedule, 100)?.why).toContain('one time per colour: 3 expected, 2 given');
    });
  });

  describe('issueChallenge', () => {
    const untouched: Queryable = {
      query: () => {
        throw new Error('nothing may be stored for a refused request');
      },
    } as unknown as Queryable;

    it('when the deployment issues timed challenges only, then a request for version 1 is refused on version before anything is stored', async () => {
      const config = { ...engineConfig().challenge, minVersion: 2 as const };
      const refused = issueChallenge(untouched, config, { orgId: 'org_1', customerId: 'cus_1', kind: 'selfie', version: 1 }, new Date());
      await expect(refused).rejects.toBeInstanceOf(AppError);
      await expect(refused).rejects.toMatchObject({ code: 'invalid_request', options: { param: 'version' } });
    });
  });
});
