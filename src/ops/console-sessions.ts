import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';

/** How long a console session lasts from sign-in, in seconds (one hour; signing in again opens a new one). */
export const SESSION_TTL_SECONDS = 3600;

/** What the server keeps of a signed-in operator: never the operator key itself. */
export interface ConsoleSession {
  operatorKeyId: string;
  /** Sent back by the page in `X-CSRF-Token` on every request that changes something. */
  csrfToken: string;
}

const Stored = z.object({ operatorKeyId: z.string().min(1), csrfToken: z.string().min(1) }).strict();

const token = () => randomBytes(32).toString('base64url');

/**
 * Console sessions in Redis, shared by every gateway instance: the cookie holds an opaque random token, the
 * server keeps its session under the token's SHA-256 (a Redis dump holds no usable cookie) until it expires
 * or the operator signs out.
 */
export class ConsoleSessions {
  constructor(
    private readonly redis: Redis,
    /** Redis key prefix (the process's queue prefix: two test apps on one Redis never share sessions). */
    private readonly prefix: string,
    /** Lifetime from sign-in, in seconds; default SESSION_TTL_SECONDS. */
    readonly ttlSeconds = SESSION_TTL_SECONDS,
  ) {}

  private key(sessionToken: string): string {
    return `${this.prefix}:console:session:${createHash('sha256').update(sessionToken).digest('base64url')}`;
  }

  /** Opens a session for the operator key; answers the cookie's token and the session. */
  async open(operatorKeyId: string): Promise<{ token: string; session: ConsoleSession }> {
    const session: ConsoleSession = { operatorKeyId, csrfToken: token() };
    const sessionToken = token();
    await this.redis.set(this.key(sessionToken), JSON.stringify(session), 'EX', this.ttlSeconds);
    return { token: sessionToken, session };
  }

  /** The live session of a cookie's token, or null (unknown, expired, signed out, or unreadable). */
  async find(sessionToken: string): Promise<ConsoleSession | null> {
    const raw = await this.redis.get(this.key(sessionToken));
    if (!raw) return null;
    try {
      return Stored.parse(JSON.parse(raw));
    } catch {
      return null;
    }
  }

  /** Signs out: the token no longer opens anything, on any instance. */
  async close(sessionToken: string): Promise<void> {
    await this.redis.del(this.key(sessionToken));
  }
}
