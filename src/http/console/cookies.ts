/** The console's session cookie; its value is an opaque token (src/ops/console-sessions.ts). */
export const SESSION_COOKIE = 'verigate_console';

/** One cookie's value from a `Cookie` header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/**
 * The `Set-Cookie` of a session: HttpOnly (no script reads it), SameSite=Strict (no other site's page
 * sends it), Secure when the console is reached over https, for the whole origin (the console's pages
 * call the /v1/ops routes with it). `maxAgeSeconds` 0 clears it.
 */
export function sessionCookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${value}`,
    'Path=/',
    `Max-Age=${maxAgeSeconds}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}
