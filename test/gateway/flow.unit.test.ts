import { z } from 'zod';
import { flow } from '../../adapters/declare';
import type { Flow } from '../../adapters/types';
import type { Attempt } from '../../src/gateway/attempt';
import type { CandidateOutcome } from '../../src/gateway/failover';
import { runFlow, type StepCall } from '../../src/gateway/flow';

/** upload -> check (waits on the person) -> finish; `check` and `finish` only read. */
const declared = flow({
  endpoint: 'test',
  serves: 'ekyc_request',
  input: z.object({ name: z.string() }),
  steps: [
    { operation: 'upload', input: (i) => ({ name: i.name }) },
    { operation: 'check', input: (_i, done) => ({ id: (done.get('upload') as { id: string }).id }), waits: true },
    { operation: 'finish', input: (_i, done) => ({ id: (done.get('upload') as { id: string }).id }) },
  ],
  repeatable: ['check', 'finish'],
  result: (done) => ({ steps: [...done.keys()] }),
});
const testFlow = declared.flow as Flow;

const STATUS: Record<string, string> = { uploaded: 'passed', waiting: 'pending', checked: 'passed', done: 'passed', refused: 'failed' };
const statusOf = (a: Attempt) => STATUS[a.suiteCode];

let n = 0;
function attempt(operation: string, suiteCode: string, over: Partial<Attempt> = {}): Attempt {
  n += 1;
  return {
    id: `att_${n}`,
    verificationId: 'ver_1',
    provider: 'vendor',
    operation,
    kind: suiteCode === 'provider_timeout' ? 'error' : 'result',
    suiteCode,
    upstream: { status: 200, code: null, transport: null, requestId: null },
    charged: 'free',
    final: false,
    failover: false,
    data: operation === 'upload' ? { id: 'doc1' } : {},
    latencyMs: 1,
    ...over,
  };
}
const interrupted = (operation: string) =>
  attempt(operation, 'provider_timeout', { upstream: { status: null, code: null, transport: 'interrupted', requestId: null } });

/** A vendor answering each step as `answers` says, recording what was called with which input. */
function vendor(answers: Record<string, string>) {
  const calls: Array<[string, unknown]> = [];
  const call: StepCall = async (step, input): Promise<CandidateOutcome> => {
    calls.push([step.operation, input]);
    return { tried: true, attempt: attempt(step.operation, answers[step.operation] ?? 'done') };
  };
  return { calls, call };
}

const ops = (attempts: Attempt[]) => attempts.map((a) => `${a.operation}:${a.suiteCode}`);

describe('runFlow', () => {
  it('when every step answers, then they run in order, each fed by the steps before, and the last is the answer with the flow result', async () => {
    const v = vendor({ upload: 'uploaded', check: 'checked' });
    const out = await runFlow(testFlow, 'vendor', { name: 'x' }, [], v.call, statusOf);
    expect(v.calls).toEqual([
      ['upload', { name: 'x' }],
      ['check', { id: 'doc1' }],
      ['finish', { id: 'doc1' }],
    ]);
    expect(out.answer).toMatchObject({ operation: 'finish', data: { steps: ['upload', 'check', 'finish'] } });
  });

  it('when a step refuses, then the flow ends with that verdict and nothing after it is called', async () => {
    const v = vendor({ upload: 'refused' });
    const out = await runFlow(testFlow, 'vendor', { name: 'x' }, [], v.call, statusOf);
    expect(v.calls.map(([op]) => op)).toEqual(['upload']);
    expect(out.answer?.suiteCode).toBe('refused');
  });

  it('when the waiting step says wait, then the run ends waiting with that answer; asked again, it is made again and the flow goes on', async () => {
    const first = await runFlow(testFlow, 'vendor', { name: 'x' }, [], vendor({ upload: 'uploaded', check: 'waiting' }).call, statusOf);
    expect(first.answer).toMatchObject({ operation: 'check', suiteCode: 'waiting', data: { steps: ['upload', 'check'] } });
    const again = vendor({ check: 'checked' });
    const second = await runFlow(testFlow, 'vendor', { name: 'x' }, first.attempts, again.call, statusOf);
    expect(again.calls.map(([op]) => op)).toEqual(['check', 'finish']);
    expect(ops(second.attempts)).toEqual(['upload:uploaded', 'check:waiting', 'check:checked', 'finish:done']);
    expect(second.answer?.operation).toBe('finish');
  });

  it('when a read was in flight as the worker died, then it is made again; a step that may have acted is not, and the flow has no answer', async () => {
    const read = vendor({});
    const resumed = await runFlow(
      testFlow,
      'vendor',
      { name: 'x' },
      [attempt('upload', 'uploaded'), interrupted('check')],
      read.call,
      statusOf,
    );
    expect(read.calls.map(([op]) => op)).toEqual(['check', 'finish']);
    expect(resumed.answer?.operation).toBe('finish');

    const acted = vendor({});
    const ended = await runFlow(testFlow, 'vendor', { name: 'x' }, [interrupted('upload')], acted.call, statusOf);
    expect(acted.calls).toEqual([]);
    expect(ended.answer).toBeUndefined();
  });

  it('when nothing more may be called, then a finished flow tells its verdict again, a waiting one its wait, an unfinished one nothing', async () => {
    const nothing: StepCall = () => Promise.reject(new Error('nothing is called'));
    const finished = [attempt('upload', 'uploaded'), attempt('check', 'checked'), attempt('finish', 'done')];
    expect((await runFlow(testFlow, undefined, undefined, finished, nothing, statusOf)).answer?.operation).toBe('finish');
    const waiting = await runFlow(
      testFlow,
      undefined,
      undefined,
      [attempt('upload', 'uploaded'), attempt('check', 'waiting')],
      nothing,
      statusOf,
    );
    expect(waiting.answer?.suiteCode).toBe('waiting');
    const unfinished = await runFlow(testFlow, undefined, undefined, [attempt('upload', 'uploaded')], nothing, statusOf);
    expect(unfinished.answer).toBeUndefined();
  });
});
