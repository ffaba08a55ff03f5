import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError, loadConfig } from './config';
import { issueOperatorKey, listOperatorKeys, revokeOperatorKey } from './ops/operator-keys-repo';
import { isAppError } from './errors/app-error';
import { reconcileInvoice } from './finance/reconcile-invoice';
import { usageByOrg } from './finance/usage-by-org';
import { DEFAULT_REGISTRY } from './gateway/registry';
import { openStore, StoreLockedError } from './store/open-store';
import { KeyMaterial } from './tenancy/key-material';
import { issueKey, listKeys, revokeKey } from './tenancy/keys-repo';
import { createOrg, findOrg, listOrgs } from './tenancy/orgs-repo';
import { Capability, Scope, SCOPES } from './tenancy/scopes';

const HELP = `Usage: npx verigate <command> [options]     (prints JSON)

Commands:
  org create --name <name> [--capabilities dukcapil,...]
  org list
  key create --org <org_id> --scopes <scope,...|all> [--live] [--name <label>]
             prints the key and its hmacKey: they are shown this once only
  key list --org <org_id>
  key revoke --org <org_id> --id <key_id>
  operator create --name <who>
             an operator key (vk_op_...): drains, restores, cooldowns, breakers and orgs through
             /v1/ops/*, every action audited. Shown this once only; no tenant key or route can make one
  operator list
  operator revoke --id <operator_key_id>
  invoice import --provider <id> --file <invoice.csv> [--sandbox] [--org <org_id>] [--from YYYY-MM-DD --to YYYY-MM-DD]
             reconciles a vendor invoice (CSV: date, reference such as order_no or scanRef, amount) against
             the ledger of every org (or one): lists what is billed but not on the ledger, on the ledger but
             not billed, and billed at another price; resolves the unknown rows it bills as charged
  usage by-org [--from YYYY-MM-DD] [--to YYYY-MM-DD]
             every org's calls, charges and cost per provider (UTC days, to included; default: the last 30 days)

Scopes (tenant keys): ${SCOPES.join(', ')}
The database is the one the server uses (DATABASE_URL, else the embedded PGlite under VERIGATE_DATA_DIR).
`;

class UsageError extends Error {}

const DAY_MS = 86_400_000;

/** A UTC day given as YYYY-MM-DD, as its midnight. */
function dayArg(value: string, flag: string): Date {
  const at = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
  if (Number.isNaN(at)) throw new UsageError(`--${flag}: expected YYYY-MM-DD, got ${value}`);
  return new Date(at);
}

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

function parseList<T>(schema: z.ZodType<T>, items: string[], flag: string): T[] {
  return items.map((item) => {
    const parsed = schema.safeParse(item);
    if (!parsed.success) throw new UsageError(`--${flag}: unknown value "${item}"`);
    return parsed.data;
  });
}

async function run(argv: string[]): Promise<unknown> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      org: { type: 'string' },
      id: { type: 'string' },
      scopes: { type: 'string' },
      capabilities: { type: 'string' },
      live: { type: 'boolean', default: false },
      provider: { type: 'string' },
      file: { type: 'string' },
      sandbox: { type: 'boolean', default: false },
      from: { type: 'string' },
      to: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals.join(' ');
  if (values.help || command === '' || command === 'help') return HELP;

  const config = loadConfig();
  // One short command: the worker thread PGlite runs in for the server would only add its start-up time.
  const db = await openStore(config, { pgliteThread: false });
  const keys = new KeyMaterial(config.masterKey);
  try {
    switch (command) {
      case 'org create':
        return await createOrg(db, {
          name: required(values, 'name'),
          capabilities: parseList(Capability, list(values.capabilities), 'capabilities'),
        });
      case 'org list':
        return await listOrgs(db);
      case 'key create': {
        const org = await findOrg(db, required(values, 'org'));
        if (!org) throw new UsageError(`no org ${values.org}`);
        const requested = list(required(values, 'scopes'));
        const scopes = requested.length === 1 && requested[0] === 'all' ? [...SCOPES] : parseList(Scope, requested, 'scopes');
        return await issueKey(db, keys, { orgId: org.id, name: values.name ?? 'cli', mode: values.live ? 'live' : 'test', scopes });
      }
      case 'key list':
        return await listKeys(db, required(values, 'org'));
      case 'key revoke': {
        const key = await revokeKey(db, required(values, 'org'), required(values, 'id'), new Date());
        if (!key) throw new UsageError(`no key ${values.id} in org ${values.org}`);
        return key;
      }
      case 'operator create':
        return await issueOperatorKey(db, keys, required(values, 'name'));
      case 'operator list':
        return await listOperatorKeys(db);
      case 'operator revoke': {
        const key = await revokeOperatorKey(db, required(values, 'id'), new Date());
        if (!key) throw new UsageError(`no operator key ${values.id}`);
        return key;
      }
      case 'invoice import': {
        const provider = required(values, 'provider');
        if (!DEFAULT_REGISTRY.ids.includes(provider as never))
          throw new UsageError(`--provider: expected one of ${DEFAULT_REGISTRY.ids.join(', ')}`);
        const file = required(values, 'file');
        let csv: string;
        try {
          csv = readFileSync(file, 'utf8');
        } catch (err) {
          throw new UsageError(`--file: ${(err as Error).message}`);
        }
        const input = {
          provider,
          sandbox: values.sandbox ?? false,
          orgId: values.org ?? null,
          fileName: path.basename(file),
          csv,
          from: values.from,
          to: values.to,
          importedBy: `cli:${os.userInfo().username}`,
        };
        try {
          return await reconcileInvoice(input, new Date(), (work) => db.transaction(work));
        } catch (err) {
          if (isAppError(err)) throw new UsageError(err.message);
          throw err;
        }
      }
      case 'usage by-org': {
        const to = values.to
          ? dayArg(values.to, 'to')
          : new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()));
        const from = values.from ? dayArg(values.from, 'from') : new Date(to.getTime() - 29 * DAY_MS);
        if (from > to) throw new UsageError('--from must not be after --to');
        return await usageByOrg(db, from, new Date(to.getTime() + DAY_MS));
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } finally {
    await db.close();
  }
}

run(process.argv.slice(2)).then(
  (result) => {
    process.stdout.write(typeof result === 'string' ? result : `${JSON.stringify(result, null, 2)}\n`);
  },
  (err) => {
    const badArgs = String((err as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
    const usage = badArgs || err instanceof UsageError || err instanceof ConfigError || err instanceof StoreLockedError;
    process.stderr.write(`verigate: ${usage ? err.message : (err as Error).stack}\n${usage ? 'Run npx verigate --help for usage.\n' : ''}`);
    process.exit(usage ? 2 : 1);
  },
);
