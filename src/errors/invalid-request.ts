import type { z } from 'zod';
import { AppError } from './app-error';

/**
 * A validation failure as the suite answers it: 400 `invalid_request` naming the first issue's field
 * (`param`, a dotted path) and saying what is wrong, unknown fields by name. Routes get it for a body that
 * fails its schema; use cases for input they validate themselves (a verification's `input`, read by each
 * provider's own schema).
 */
export function invalidRequest(issues: readonly z.core.$ZodIssue[]): AppError {
  const issue = issues[0];
  const where = issue?.path.join('.') ?? '';
  let detail = issue?.message ?? 'invalid';
  if (issue?.code === 'unrecognized_keys') detail = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
  const param = issue?.code === 'unrecognized_keys' ? [where, issue.keys[0]].filter(Boolean).join('.') : where;
  return new AppError('invalid_request', { params: { detail: where ? `${where}: ${detail}` : detail }, param: param || undefined });
}

/**
 * A value the client sent, as an error message may show it: a short printable string quoted, anything else
 * by its kind. Never the raw input, which can be megabytes long or nested thousands of levels deep.
 */
export function shownValue(input: unknown): string {
  if (typeof input === 'string') return input.length <= 40 && /^[\x20-\x7e]*$/.test(input) ? JSON.stringify(input) : `a string of ${input.length} characters`;
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'an array';
  if (typeof input === 'number' || typeof input === 'boolean') return String(input).slice(0, 40);
  return typeof input === 'object' ? 'an object' : `a ${typeof input}`;
}

/** A zod error message for a value outside a fixed list: what was sent (shownValue) and what is accepted. */
export const unknownChoice = (what: string, values: readonly string[]) => (issue: { input?: unknown }) =>
  `unknown ${what} ${shownValue(issue.input)}; expected one of ${values.join(', ')}`;
