/**
 * The fuzz run: `node --import tsx bench/fuzz/run.ts [--requests 100000] [--seed 1] [--concurrency 8]`.
 * Starts the fuzz server (bench/fuzz/fuzz-server.ts) as a child process on DATABASE_URL when set (a fresh
 * schema, dropped at the end), else PGlite in a temporary folder, and REDIS_URL (default redis://127.0.0.1:6379); sends the
 * mutated requests; prints the report as JSON. Exits 1 on any finding: an answer 5xx, a body outside the
 * error model, a request left unanswered, or the server gone. Results: bench/README.md.
 */
import { parseArgs } from 'node:util';
import { createRunDatabase, dropRunDatabase, type RunDatabase } from '../chaos/setup';
import { fuzz } from './fuzz';
import { startFuzzServer } from './server-process';

async function main() {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string', default: '100000' },
      seed: { type: 'string', default: '1' },
      concurrency: { type: 'string', default: '8' },
    },
  });
  const env: NodeJS.ProcessEnv = {};
  const base = process.env.DATABASE_URL;
  const runDb: RunDatabase | undefined = base ? await createRunDatabase(base) : undefined;
  if (runDb) env.DATABASE_URL = runDb.url;
  const server = await startFuzzServer(env);
  let exitCode = 1;
  try {
    const report = await fuzz(server.target, {
      requests: Number(values.requests),
      seed: Number(values.seed),
      concurrency: Number(values.concurrency),
      onProgress: (n) => process.stderr.write(`fuzz: ${n} requests\n`),
    });
    const crashed = server.exited();
    const alive = crashed === undefined && (await fetch(`${server.target.url}/healthz`).then((r) => r.ok, () => false));
    const summary = {
      requests: report.requests,
      framing: report.framing,
      seconds: Math.round(report.ms / 1000),
      answers5xx: report.findings.filter((f) => f.kind === '5xx').length,
      outsideModel: report.findings.filter((f) => f.kind === 'outside_model').length,
      unanswered: report.findings.filter((f) => f.kind === 'no_answer').length,
      crashes: crashed ? 1 : 0,
      aliveAtEnd: alive,
      byStatus: report.byStatus,
      byCode: report.byCode,
      firstFindings: report.findings.slice(0, 20),
    };
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    exitCode = report.findings.length === 0 && alive ? 0 : 1;
  } finally {
    await server.stop();
    if (base && runDb) await dropRunDatabase(base, runDb.schema);
  }
  process.exit(exitCode);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
