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
