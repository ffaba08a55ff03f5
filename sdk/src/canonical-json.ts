/**
 * Deepest nesting of arrays and objects canonicalJson writes. Bodies are refused deeper than
 * config http.jsonMaxDepth first (a 400), so from a request this is never reached; it bounds the walk
 * for any other caller.
 */
export const CANONICAL_JSON_MAX_DEPTH = 64;

/** A value nested deeper than canonicalJson's cap. */
export class JsonTooDeepError extends Error {
  override name = 'JsonTooDeepError';
  constructor(readonly maxDepth: number) {
    super(`JSON nested deeper than ${maxDepth} levels`);
  }
}

// What is left to write: a value at its depth, or punctuation already decided.
type Work = { value: unknown; depth: number } | string;

/**
 * RFC 8785 (JSON Canonicalization Scheme) for values that came from JSON.parse: object members sorted
 * by UTF-16 code units, no whitespace, strings and numbers as ECMAScript serialises them (which is what
 * the RFC specifies). Used for request fingerprints and for the capture-bundle signatures of seed 000.
 * Iterative (an explicit stack, not recursion), so no input can overflow the call stack, and capped at
 * `maxDepth` levels of nesting (JsonTooDeepError beyond).
 */
export function canonicalJson(value: unknown, maxDepth = CANONICAL_JSON_MAX_DEPTH): string {
  const out: string[] = [];
  const stack: Work[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const work = stack.pop() as Work;
    if (typeof work === 'string') {
      out.push(work);
      continue;
    }
    const v = work.value;
    if (v === null || typeof v === 'boolean' || typeof v === 'string') out.push(JSON.stringify(v));
    else if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new TypeError('canonical JSON has no representation for non-finite numbers');
      out.push(JSON.stringify(v));
    } else if (typeof v === 'object') {
      if (work.depth >= maxDepth) throw new JsonTooDeepError(maxDepth);
      const depth = work.depth + 1;
      // Pushed in reverse, so they pop in writing order.
      if (Array.isArray(v)) {
        stack.push(']');
        for (let i = v.length - 1; i >= 0; i--) {
          stack.push({ value: v[i], depth });
          if (i > 0) stack.push(',');
        }
        stack.push('[');
      } else {
        const members = Object.entries(v as Record<string, unknown>)
          .filter(([, m]) => m !== undefined)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        stack.push('}');
        for (let i = members.length - 1; i >= 0; i--) {
          const [k, m] = members[i] as [string, unknown];
          stack.push({ value: m, depth }, `${JSON.stringify(k)}:`);
          if (i > 0) stack.push(',');
        }
        stack.push('{');
      }
    } else throw new TypeError(`canonical JSON cannot represent a ${typeof v}`);
  }
  return out.join('');
}
