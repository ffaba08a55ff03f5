/**
 * The run's clock and what happened when: chaos events (printed at the end) and the windows during which a
 * component was down or a vendor fault was on, so each 5xx a client saw can be set against them.
 */
export type Component = 'redis' | 'api' | 'worker' | 'simulators' | 'vendor_fault';

export interface ChaosEvent {
  /** Seconds since the run started. */
  at: number;
  what: string;
}

interface Window {
  from: number;
  to: number;
}

export class Timeline {
  readonly started = Date.now();
  readonly events: ChaosEvent[] = [];
  private windows: Record<Component, Window[]> = { redis: [], api: [], worker: [], simulators: [], vendor_fault: [] };
  private open: Partial<Record<Component, number>> = {};

  /** Milliseconds since the run started. */
  now(): number {
    return Date.now() - this.started;
  }

  log(what: string): void {
    const at = this.now() / 1000;
    this.events.push({ at, what });
    if (process.env.CHAOS_VERBOSE) process.stderr.write(`[chaos ${at.toFixed(1)}s] ${what}\n`);
  }

  /** `component` goes down (or a vendor fault starts) now. */
  down(component: Component): void {
    this.open[component] ??= this.now();
  }

  /** `component` is back (or the vendor fault ends) now. */
  up(component: Component): void {
    const from = this.open[component];
    if (from === undefined) return;
    delete this.open[component];
    this.windows[component].push({ from, to: this.now() });
  }

  /** Whether `component` was down at some moment of [from, to] (ms since start). */
  overlaps(component: Component, from: number, to: number): boolean {
    const open = this.open[component];
    if (open !== undefined && open <= to) return true;
    return this.windows[component].some((w) => w.from <= to && w.to >= from);
  }

  /** Whether `component` was down at `t` (ms since start). */
  isDown(component: Component, t: number): boolean {
    return this.overlaps(component, t, t);
  }

  /** Whether `component` had gone down and come back before `t`. */
  cameBackBefore(component: Component, t: number): boolean {
    return this.windows[component].some((w) => w.to <= t);
  }

  /** Total seconds `component` spent down. */
  downSeconds(component: Component): number {
    return this.windows[component].reduce((n, w) => n + (w.to - w.from), 0) / 1000;
  }
}
