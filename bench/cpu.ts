/**
 * What this process spends while a run is on: CPU of the whole process, CPU of the main thread alone, the
 * event loop's utilisation, and how busy the whole machine was (to tell a contended run). Meaningful only because the load generator and the simulator run in child
 * processes (bench/children.ts): `process.cpuUsage()` is getrusage(RUSAGE_SELF), every thread of this
 * process (worker threads included) and none of its children. Node 20 has no `process.threadCpuUsage()`
 * (Node 23.9+), so the main thread's own time is read from Linux's /proc/<pid>/task/<pid>/schedstat
 * (nanoseconds on a CPU; the main thread's tid is the pid), or `stat` (utime + stime in clock ticks) when
 * schedstat is missing; elsewhere it is not reported.
 */
import { readFileSync } from 'node:fs';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';

const TASK = `/proc/${process.pid}/task/${process.pid}`;
const CLOCK_TICK_MS = 10; // USER_HZ is 100 on Linux

function mainThreadMs(): number | undefined {
  try {
    return Number(readFileSync(`${TASK}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    try {
      const stat = readFileSync(`${TASK}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd (state) on
      return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS; // utime, stime: fields 14 and 15
    } catch {
      return undefined;
    }
  }
}

/** Jiffies of all CPUs since boot: [busy, total] from the first line of /proc/stat (Linux). */
function machineJiffies(): [number, number] | undefined {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0); // user nice system idle iowait irq softirq steal
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return [total - idle, total];
  } catch {
    return undefined;
  }
}

export interface CpuMark {
  at: number;
  process: NodeJS.CpuUsage;
  mainThreadMs: number | undefined;
  elu: EventLoopUtilization;
  machine: [number, number] | undefined;
}

export interface CpuSpent {
  /** CPU ms of the whole process (all its threads: main, libuv pool, V8 helpers, idle workers). */
  processMs: number;
  /** CPU ms of the main thread alone, when the platform tells. */
  mainThreadMs: number | undefined;
  /** Share of the wall time the event loop was busy (0..1). */
  eventLoopUtilisation: number;
  /** Wall time of the window. */
  wallMs: number;
  /** Share of all the machine's cores busy in the window (every process; steal counts as busy), when known. */
  machineBusy: number | undefined;
}

export function cpuMark(): CpuMark {
  return {
    at: performance.now(),
    process: process.cpuUsage(),
    mainThreadMs: mainThreadMs(),
    elu: performance.eventLoopUtilization(),
    machine: machineJiffies(),
  };
}

export function cpuSince(mark: CpuMark): CpuSpent {
  const used = process.cpuUsage(mark.process);
  const main = mainThreadMs();
  const machine = machineJiffies();
  return {
    processMs: (used.user + used.system) / 1000,
    mainThreadMs: main !== undefined && mark.mainThreadMs !== undefined ? main - mark.mainThreadMs : undefined,
    eventLoopUtilisation: performance.eventLoopUtilization(mark.elu).utilization,
    wallMs: performance.now() - mark.at,
    machineBusy:
      machine && mark.machine && machine[1] > mark.machine[1] ? (machine[0] - mark.machine[0]) / (machine[1] - mark.machine[1]) : undefined,
  };
}
