import { randomInt } from 'node:crypto';

/** When one colour of a timed challenge is on screen, in ms after the first colour appeared. */
export interface ColourWindow {
  startMs: number;
  endMs: number;
}

/** A timed challenge's timing (config/engine.json `challenge.timed`). */
export interface ScheduleSettings {
  /** Shortest time a colour stays on screen, in ms. */
  minColourMs: number;
  /** Longest time a colour stays on screen, in ms. */
  maxColourMs: number;
  /** A frame counts for its colour only this many ms after the colour appeared (the screen and the camera's exposure catch up). */
  settleMs: number;
}

/**
 * Back-to-back windows of crypto-random length, one per colour. The client must show each colour for
 * exactly its window and take that colour's frame inside it, so a capture's timing is as unpredictable
 * as its colours: frames recorded for another challenge, or a stream that follows the screen with a lag,
 * fall outside the windows.
 */
export function randomSchedule(length: number, s: ScheduleSettings): ColourWindow[] {
  const out: ColourWindow[] = [];
  let at = 0;
  for (let i = 0; i < length; i++) {
    const duration = randomInt(s.minColourMs, s.maxColourMs + 1);
    out.push({ startMs: at, endMs: at + duration });
    at += duration;
  }
  return out;
}

/**
 * The first frame whose stated time (ms after the first colour appeared) is not inside its colour's
 * settled window, [startMs + settleMs, endMs], with why; null when every frame is. Frames must be in
 * order and one per window.
 */
export function frameOutsideSchedule(
  frameTimes: readonly number[],
  schedule: readonly ColourWindow[],
  settleMs: number,
): { frame: number; why: string } | null {
  if (frameTimes.length !== schedule.length) {
    return {
      frame: Math.min(frameTimes.length, schedule.length),
      why: `one time per colour: ${schedule.length} expected, ${frameTimes.length} given`,
    };
  }
  for (const [i, t] of frameTimes.entries()) {
    const w = schedule[i] as ColourWindow;
    if (t < w.startMs + settleMs || t > w.endMs) {
      return { frame: i, why: `taken at ${t} ms, outside its colour's window ${w.startMs + settleMs}-${w.endMs} ms` };
    }
  }
  return null;
}
