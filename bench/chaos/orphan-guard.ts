/**
 * Preloaded (`node --import`) into every verigate process the chaos harness starts: should the harness die
 * without stopping it (kill -9, a crash), the process is re-parented and ends itself, so no run leaves
 * orphans behind. Has no effect on a process whose parent is alive.
 */
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.kill(process.pid, 'SIGKILL');
}, 500).unref();
