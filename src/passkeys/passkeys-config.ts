import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError, readConfigFile, ROOT_DIR } from '../config';

/** Seed 000: "Passkey enrollment/auth challenges have 5-minute TTL". A contract, so not a setting. */
export const CHALLENGE_TTL_MS = 5 * 60_000;

/** Random bytes in a challenge (WebAuthn asks for at least 16). */
export const CHALLENGE_BYTES = 32;

// A lowercase DNS name (labels of letters, digits and inner hyphens). WebAuthn refuses IP addresses as RP ids.
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

const RpId = z
  .string()
  .regex(HOSTNAME, 'must be a lowercase domain name without scheme, port or path (for example example.com)')
  .refine((v) => isIP(v) === 0, 'must be a domain name, not an IP address');

const Origin = z.string().refine((value) => {
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}, 'must be an origin: scheme, host and optional port, without path or trailing slash (for example https://app.example.com)');

const PasskeysSettings = z
  .object({
    rpId: RpId,
    rpName: z.string().trim().min(1).max(64),
    origins: z.array(Origin).min(1).max(20),
    userVerification: z.enum(['required', 'preferred']),
  })
  .strict()
  .superRefine((s, ctx) => {
    s.origins.forEach((origin, i) => {
      const url = new URL(origin);
      if (url.hostname !== s.rpId && !url.hostname.endsWith(`.${s.rpId}`)) {
        ctx.addIssue({ code: 'custom', path: ['origins', i], message: `${origin} is not on rpId ${s.rpId} or a subdomain of it` });
      }
      if (url.protocol !== 'https:' && !(url.protocol === 'http:' && url.hostname === 'localhost')) {
        ctx.addIssue({ code: 'custom', path: ['origins', i], message: `${origin} must use https (plain http only on localhost)` });
      }
    });
  });

export type PasskeysConfig = z.infer<typeof PasskeysSettings>;

const PasskeysFile = z.object({ $comment: z.string().optional() }).catchall(z.unknown());

const CONFIG_DIR = path.join(ROOT_DIR, 'config');

/**
 * The relying party: `config/passkeys.json`, with PASSKEY_RP_ID, PASSKEY_RP_NAME and PASSKEY_ORIGINS
 * (comma-separated) over it. Validated as a whole after the overrides, so an origin that does not belong
 * to the RP id stops the process at start, naming the setting.
 */
export function loadPasskeysConfig(env: NodeJS.ProcessEnv = process.env, configDir = CONFIG_DIR): PasskeysConfig {
  const { $comment: _comment, ...file } = readConfigFile('passkeys.json', PasskeysFile, configDir);
  const merged: Record<string, unknown> = { ...file };
  if (env.PASSKEY_RP_ID !== undefined) merged.rpId = env.PASSKEY_RP_ID;
  if (env.PASSKEY_RP_NAME !== undefined) merged.rpName = env.PASSKEY_RP_NAME;
  if (env.PASSKEY_ORIGINS !== undefined) {
    merged.origins = env.PASSKEY_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter(Boolean);
  }
  const parsed = PasskeysSettings.safeParse(merged);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(
      `invalid passkeys configuration (${path.join(configDir, 'passkeys.json')} and PASSKEY_* variables):\n${lines.join('\n')}`,
    );
  }
  return parsed.data;
}
