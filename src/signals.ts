import type { Logger } from './logger';

/**
 * SIGTERM and SIGINT run `shutdown` once, then exit 0 (1 if shutdown failed). Orchestrators send SIGTERM
 * and wait; a terminal sends SIGINT on Ctrl-C.
 */
export function exitOnSignals(shutdown: (signal: string) => Promise<void>, logger: Logger): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      shutdown(signal).then(
        () => process.exit(0),
        (err) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}
