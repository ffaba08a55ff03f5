import { analyseFrames, type AnalysisResult, type AnalysisTask } from './analyse-frames';
import { describeImage, type DescribeResult, type DescribeTask } from './face-analysis/describe';

/** What the engine's worker threads do: analyse a capture's frames, or find and describe the face in one image. */
export type WorkerTask = AnalysisTask | DescribeTask;

export type WorkerResult<T extends WorkerTask> = T extends AnalysisTask ? AnalysisResult : DescribeResult;

export function runTask(task: WorkerTask): Promise<AnalysisResult | DescribeResult> {
  return task.op === 'analyse' ? analyseFrames(task) : describeImage(task);
}
