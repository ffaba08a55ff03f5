import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';
import { redactedUrl, startRuntime, type Role } from './runtime';
import { exitOnSignals } from './signals';
import { prepareWalkthrough, walkthroughBanner } from './walkthrough';

const HELP = `Usage: node --import tsx src/main.ts [options]

Starts verigate. Settings come from the environment (PORT, DATABASE_URL, REDIS_URL, VERIGATE_MASTER_KEY,
VERIGATE_DATA_DIR, LOG_LEVEL, NODE_ENV) over config/*.json; see README "Configuration".

Options:
  --role <role>            what this process runs (default: all)
                             api         the HTTP API
                             worker      the BullMQ workers
                             simulators  the vendor simulators behind sandbox keys (ports in config/providers.json)
                             gateway     api and worker in one process (small deployments; the image's default)
                             all         api, worker and simulators (the embedded run)
  --walkthrough            also create the sandbox org and its walk-through key (the same on every start with
                           the same master key), and print it with its hmacKey, the URLs and a first curl
  -h, --help               show this help
`;

const ROLES: Record<string, Role[]> = {
  api: ['api'],
  worker: ['worker'],
  simulators: ['simulators'],
  gateway: ['api', 'worker'],
  all: ['api', 'worker', 'simulators'],
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      role: { type: 'string', default: 'all' },
      walkthrough: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const roles = ROLES[values.role as keyof typeof ROLES];
  if (!roles) throw new ConfigError(`--role: expected ${Object.keys(ROLES).join(', ')}, got ${values.role}`);

  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const runtime = await startRuntime(config, logger, roles);

  exitOnSignals(runtime.shutdown, logger);

  if (values.walkthrough && runtime.url && runtime.deps) {
    const keys = await prepareWalkthrough(runtime.deps.db, runtime.deps.keys, new Date());
    // Last, after every start-up log line, so the key does not scroll away under them.
    process.stdout.write(
      walkthroughBanner({
        url: runtime.url,
        keys,
        simulators: runtime.simulators ?? {},
        redisUrl: redactedUrl(config.redisUrl),
        embedded: !config.databaseUrl,
        dataDir: config.dataDir,
      }),
    );
  }
}

main().catch((err) => {
  const usage = err instanceof ConfigError || String((err as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
  process.stderr.write(`verigate: ${usage ? (err as Error).message : (err as Error).stack}\n`);
  process.exit(1);
});
