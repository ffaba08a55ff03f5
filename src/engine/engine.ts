import type { Redis } from 'ioredis';
import type { AnalysisTask } from './analyse-frames';
import type { CaptureKind } from './challenges-repo';
import { engineConfig, type EngineConfig } from './engine-config';
import type { Rgb } from './flash-sequence';
import { AnalysisPool } from './pool';
import { ReplayGuard } from './replay-guard';

/** What the engine's use cases share: its settings, the analysis worker pool and the replay guard. */
export interface Engine {
  config: EngineConfig;
  pool: AnalysisPool;
  replay: ReplayGuard;
}

/** Built once per process with the app's Redis; its pool is closed at shutdown. */
export function createEngine(redis: Redis, config: EngineConfig = engineConfig()): Engine {
  return {
    config,
    // Workers start on the first capture, not at boot, and are unref'd: an app that never sees a capture pays nothing.
    pool: new AnalysisPool(config.pool),
    replay: new ReplayGuard(redis, config.capture.replayWindowSeconds * 1000),
  };
}

/** Largest capture request body: every frame at its limit, plus room for the other fields. */
export const captureBodyLimitBytes = (config: EngineConfig): number =>
  config.capture.maxFrames * config.capture.maxFrameBase64Chars + 64 * 1024;

/** The worker task that analyses one capture's frames under the engine's settings. */
export const analysisTask = (config: EngineConfig, kind: CaptureKind, frames: Uint8Array[], sequence: Rgb[]): AnalysisTask => ({
  op: 'analyse',
  kind,
  frames,
  sequence,
  maxSide: config.capture.analysisMaxSide,
  portraitMaxSide: config.capture.portraitMaxSide,
  thresholds: config.thresholds,
  face: config.face,
  ocr: config.ocr,
});
