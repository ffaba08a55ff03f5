import { isIP } from 'node:net';
import { z } from 'zod';

const Cidr = z.string().refine((value) => {
  const [net, prefix, extra] = value.split('/');
  const family = isIP(net ?? '');
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return Number.isInteger(bits) && bits >= 0 && bits <= (family === 4 ? 32 : 128);
}, 'must be an IP address or a CIDR network (127.0.0.1/32, fd00::/8)');

const AllowList = z
  .object({
    /** Host names (exact, lower case) deliveries may reach although they resolve to non-public addresses. */
    hosts: z.array(z.string().trim().toLowerCase().min(1)),
    /** Networks (CIDR) deliveries may reach although they are not public. */
    cidrs: z.array(Cidr),
  })
  .strict();

/** `config/webhooks.json`: outbound webhooks to integrators (src/webhooks). */
export const WebhooksFile = z
  .object({
    $comment: z.string().optional(),
    delivery: z
      .object({
        /** Tries per delivery, the first included (default 13: with the default backoff, about three days). */
        attempts: z.number().int().min(1).max(30),
        /** Backoff base, in ms: try n+1 waits up to `baseDelayMs * 2^(n-1)` (default 70,000). */
        baseDelayMs: z.number().int().positive(),
        /** Share of each wait drawn at random, 0 to 1 (default 0.2: a wait is 80-100 % of its maximum). */
        jitter: z.number().min(0).max(1),
        /** Longest one try may take, connection to the end of the answer, in ms (default 10,000). */
        timeoutMs: z.number().int().positive().max(60_000),
        /** Deliveries one worker process makes at once (default 16). */
        concurrency: z.number().int().positive().max(256),
        /**
         * An endpoint that failed every try for this long, in hours, is disabled at its next failure (default 60:
         * the shortest a full series of tries lasts with the default backoff, so one exhausted series disables it).
         */
        disableAfterHours: z.number().positive(),
        /**
         * How long a worker holds a delivery job before another worker may take it over, in ms (BullMQ
         * lockDuration, default 30,000). A worker killed mid-delivery leaves its job to be re-run after this.
         */
        lockDurationMs: z.number().int().min(1000),
      })
      .strict(),
    signature: z
      .object({
        /** How far a `Verigate-Signature` timestamp may be from the receiver's clock, either way, in seconds (default 300). */
        toleranceSeconds: z.number().int().positive(),
      })
      .strict(),
    rotation: z
      .object({
        /** How long the old secret still signs after a rotation when the request names no overlap, in seconds (default 86,400). */
        defaultOverlapSeconds: z.number().int().min(0),
        /** The longest overlap a rotation may ask for, in seconds (default 604,800: seven days). */
        maxOverlapSeconds: z.number().int().min(0),
      })
      .strict(),
    /**
     * How often the worker enqueues what was left undispatched (an event whose fan-out was never queued
     * because Redis was down or the process died; a pending delivery whose job was lost), in seconds (default 30).
     */
    sweepEverySeconds: z.number().int().positive(),
    /**
     * Non-public hosts and networks deliveries may reach (an operator's decision; sandbox and tests name
     * loopback). VERIGATE_WEBHOOK_ALLOW replaces it. Default none.
     */
    allow: AllowList,
  })
  .strict();

export type WebhooksConfig = Omit<z.infer<typeof WebhooksFile>, '$comment'>;

/**
 * The file's settings with the environment over them: VERIGATE_WEBHOOK_ALLOW, comma-separated host names,
 * addresses and CIDR networks (for example `127.0.0.1/32,localhost`), replaces `allow` (`npm start` and the
 * sandbox use it so the README walk-through can deliver to a receiver on this machine).
 */
export function webhooksConfigFrom(file: z.infer<typeof WebhooksFile>, env: NodeJS.ProcessEnv): WebhooksConfig {
  const { $comment: _comment, ...settings } = file;
  const raw = env.VERIGATE_WEBHOOK_ALLOW;
  if (raw === undefined) return settings;
  return { ...settings, allow: parseAllowList(raw) };
}

/** `127.0.0.1/32,localhost` as an allow-list: entries that are addresses or networks are CIDRs, the rest host names. */
export function parseAllowList(raw: string): z.infer<typeof AllowList> {
  const entries = raw
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const cidrs = entries.filter((e) => isIP(e.split('/')[0] ?? '') !== 0);
  const hosts = entries.filter((e) => !cidrs.includes(e));
  const parsed = AllowList.safeParse({ hosts, cidrs });
  if (!parsed.success) throw new Error(`VERIGATE_WEBHOOK_ALLOW: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}
