/** iDenfy simulator request validation: Basic auth, body parse errors, token field and business rules, Account knobs, scanRef lookup. */
import { z } from 'zod';
import type { Session } from './scenarios';

export const Account = z
  .object({
    /** Verification credits left; null is unlimited. */
    credits: z.number().int().min(0).nullable(),
    /** false answers 403 "Partner inactive". */
    partnerActive: z.boolean(),
    /** API requests per clock hour before 429 (iDenfy's default is 10,000). */
    rateLimitPerHour: z.number().int().min(1),
    /** false refuses a token's callbackUrl with a business error. */
    customCallbackUrl: z.boolean(),
    /** The dashboard webhook URL used when a token has no callbackUrl; null sends nothing. */
    webhookUrl: z.url().nullable(),
  })
  .strict();
export type Account = z.infer<typeof Account>;

export const MESSAGES = {
  auth: 'Invalid authorization credentials',
  inactive: 'Partner inactive',
  funds: 'Action not allowed due to lack of funds or exceeded limit.',
  emptyJson: 'An error occurred while parsing/constructing JSON',
  nullBody: 'Some of required values are missing',
} as const;

/** [I] iDenfy does not publish the mobile-code lifetime limit; one day stands in for it. */
const MOBILE_CODE_MAX_EXPIRY = 86_400;

export function authorised(header: string | undefined, apiKey: string, apiSecret: string): boolean {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/.exec(header ?? '');
  if (!match?.[1]) return false;
  return Buffer.from(match[1], 'base64').toString('utf8') === `${apiKey}:${apiSecret}`;
}

type ErrorBody = { identifier: string; message: string };

/** The request body as iDenfy reads it: the parse errors of seed 002 (identifiers [I]). */
export function readObject(body: unknown): { ok: true; value: Record<string, unknown> } | { ok: false; error: ErrorBody } {
  if (!Buffer.isBuffer(body) || body.length === 0) return { ok: false, error: { identifier: 'JSON_ERROR', message: MESSAGES.emptyJson } };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return { ok: false, error: { identifier: 'ENCODING_ERROR', message: 'Request body is not valid UTF-8.' } };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: { identifier: 'JSON_ERROR', message: MESSAGES.emptyJson } };
  }
  if (value === null) return { ok: false, error: { identifier: 'MISSING_VALUE', message: MESSAGES.nullBody } };
  if (typeof value !== 'object' || Array.isArray(value)) {
    const type = Array.isArray(value)
      ? 'list'
      : typeof value === 'string'
        ? 'str'
        : typeof value === 'boolean'
          ? 'bool'
          : Number.isInteger(value)
            ? 'int'
            : 'float';
    return { ok: false, error: { identifier: 'VALIDATION_ERROR', message: `Invalid data. Expected a dictionary, but got ${type}.` } };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

const isString =
  (max: number, min = 1) =>
  (v: unknown) =>
    typeof v === 'string' && v.length >= min && v.length <= max;
const isInt = (min: number, max: number) => (v: unknown) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
const isAlpha2 = (v: unknown) => typeof v === 'string' && /^[A-Za-z]{2}$/.test(v);
const isDate = (v: unknown) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v));
const isHttps = (v: unknown) => {
  if (!isString(2048, 5)(v)) return false;
  try {
    return new URL(v as string).protocol === 'https:';
  } catch {
    return false;
  }
};
const isName = (v: unknown) => isString(100)(v) && !/[0-9~!@#$%^*()_+={}[\]|:;",<>/?]/.test(v as string);
const DOCUMENT_TYPES = ['ID_CARD', 'PASSPORT', 'RESIDENCE_PERMIT', 'DRIVER_LICENSE', 'OTHER'];

/** Field rules of seed 002 and ID-OAS, each with the message naming the field. */
const FIELD_RULES: Array<[string, (v: unknown) => boolean, string]> = [
  ['clientId', (v) => isString(100)(v) && /^[\x20-\x7e]+$/.test(v as string), 'must be an ASCII string of at most 100 characters'],
  ['tokenType', (v) => v === 'IDENTIFICATION' || v === 'DOCUMENT', 'must be one of IDENTIFICATION, DOCUMENT'],
  ['externalRef', isString(40, 0), 'must be a string of at most 40 characters'],
  ['generateDigitString', (v) => typeof v === 'boolean', 'must be a boolean'],
  ['expiryTime', isInt(1, 2_592_000), 'must be an integer greater than 0 and no more than 2592000 seconds'],
  ['sessionLength', isInt(60, 3600), 'must be an integer between 60 and 3600 seconds'],
  ['locale', isString(7, 2), 'must be a locale code of at most 7 characters'],
  ['country', isAlpha2, 'must be a valid ISO 3166-1 alpha-2 code'],
  [
    'documents',
    (v) => Array.isArray(v) && v.every((d) => DOCUMENT_TYPES.includes(d as string)),
    'must be an array of valid document types',
  ],
  ['firstName', isName, 'must be 1 to 100 letters'],
  ['lastName', isName, 'must be 1 to 100 letters'],
  ['dateOfBirth', isDate, 'must follow YYYY-MM-DD format'],
  ['dateOfExpiry', isDate, 'must follow YYYY-MM-DD format'],
  ['dateOfIssue', isDate, 'must follow YYYY-MM-DD format'],
  ['nationality', (v) => isAlpha2(v) || v === 'ALL', 'must be a valid ISO 3166-1 alpha-2 code'],
  ['sex', (v) => v === 'M' || v === 'F', 'must be M or F'],
  ['documentNumber', isString(50), 'must be at most 50 characters'],
  ['personalNumber', isString(50), 'must be at most 50 characters'],
  ['address', isString(255), 'must be at most 255 characters'],
  ['successUrl', isHttps, 'must be a valid HTTPS URL of at most 2048 characters'],
  ['errorUrl', isHttps, 'must be a valid HTTPS URL of at most 2048 characters'],
  ['unverifiedUrl', isHttps, 'must be a valid HTTPS URL of at most 2048 characters'],
  ['callbackUrl', isHttps, 'must be a valid HTTPS URL of at most 2048 characters'],
];

export function validateToken(body: Record<string, unknown>): ErrorBody | undefined {
  // `personScanRef` is the legacy name of clientId and still accepted.
  const fields: Record<string, unknown> = { ...body, clientId: body.clientId ?? body.personScanRef };
  if (fields.clientId === undefined || fields.clientId === null)
    return { identifier: 'MISSING_VALUE', message: "Field 'clientId' is required." };
  for (const [field, valid, rule] of FIELD_RULES) {
    const value = fields[field];
    if (value !== undefined && value !== null && !valid(value)) return { identifier: 'BAD_VALUE', message: `Field '${field}' ${rule}.` };
  }
  return undefined;
}

/** Business-logic errors of seed 002 (HTTP 400; their identifier is not documented, VALIDATION_ERROR is [I]). */
export function businessRule(body: Record<string, unknown>, account: Account): ErrorBody | undefined {
  const fail = (message: string) => ({ identifier: 'VALIDATION_ERROR', message });
  if (body.callbackUrl && !account.customCallbackUrl) return fail('Custom callback URL is not enabled for this partner.');
  if (body.utilityBill && body.additionalSteps)
    return fail('utilityBill and additionalSteps cannot be used together; use additionalSteps only.');
  if (body.address && body.additionalData) return fail('address and additionalData cannot be used together.');
  if (body.generateDigitString === true && ((body.expiryTime as number | undefined) ?? 3600) > MOBILE_CODE_MAX_EXPIRY) {
    return fail('Expiry time exceeds the maximum allowed for a mobile code.');
  }
  return undefined;
}

export function lookup(body: unknown, sessions: Map<string, Session>): { ok: true; session: Session } | { ok: false; error: ErrorBody } {
  const parsed = readObject(body);
  if (!parsed.ok) return parsed;
  const scanRef = parsed.value.scanRef;
  if (typeof scanRef !== 'string' || scanRef.length === 0)
    return { ok: false, error: { identifier: 'MISSING_VALUE', message: "Field 'scanRef' is required." } };
  const session = sessions.get(scanRef);
  if (!session) return { ok: false, error: { identifier: 'TOKEN_NOT_VALID', message: 'Verification with this scanRef does not exist.' } };
  return { ok: true, session };
}
