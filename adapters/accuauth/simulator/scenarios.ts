/** AccuAuth simulator scenarios: the NIK-suffix tables, the magic inputs (ACCUAUTH_SANDBOX) and the answer each valid call gets. */
import { randomBytes } from 'node:crypto';
import type { AccuauthOperation } from '../client';
import { ACCUAUTH_IMAGE_LIMIT_BYTES } from '../schemas';

const NIK_PREFIX = '32170610128700';
const nik = (suffix: string) => `${NIK_PREFIX}${suffix}`;

/** Vendor HTTP errors by NIK suffix, identical on every endpoint. */
const HTTP_ERRORS: Record<string, { httpStatus: number; code: string; reason: string }> = {
  '41': { httpStatus: 400, code: 'QUERY_FAILED', reason: 'Query failed' },
  '42': {
    httpStatus: 400,
    code: 'ABNORMAL_BEHAVIOURS_DETECTED',
    reason: 'Request with same parameters repeated more than amount of times',
  },
  '43': { httpStatus: 401, code: 'KEY_EXPIRED', reason: 'Your API ID has expired' },
  '44': { httpStatus: 403, code: 'NO_PERMISSION', reason: 'You are not authorized to use this API' },
  '45': { httpStatus: 403, code: 'OUT_OF_QUOTA', reason: 'API calls quota exceeded' },
  '46': { httpStatus: 403, code: 'RATE_LIMIT_EXCEEDED', reason: 'API request frequency exceeds the limit' },
  '47': { httpStatus: 404, code: 'NOT_FOUND', reason: 'Requested API cannot be found' },
  '50': { httpStatus: 500, code: 'INTERNAL_ERROR', reason: 'Internal server error' },
  '52': { httpStatus: 512, code: 'SOURCE_SERVICE_UNAVAILABLE', reason: 'Source service is unavailable' },
  '53': { httpStatus: 513, code: 'SOURCE_SERVICE_TIMEOUT', reason: 'Source service is timeout' },
};

const SELFIE_REMARKS: Record<string, string> = {
  '01': 'SAME',
  '02': 'UNSAME',
  '03': 'NOT_FOUND',
  '04': 'FAILED',
  '05': 'NOT_FOUND_FROM_DB',
  '06': 'CHANNEL_FAILED',
  '07': 'RATE_LIMITED',
  '08': 'NO_FACE',
};
const NAME_REMARKS: Record<string, string> = { '01': 'SAME', '02': 'UNSAME', '03': 'UNKNOW', '04': 'FAILED' };

/** id_selfie NIK suffixes whose answer carries the registry's reference photo → the result code they answer. */
export const PHOTO_RESULTS: Record<string, string> = { '31': '01', '32': '02' };

/** The simulator's documented magic inputs. */
export const ACCUAUTH_SANDBOX = {
  credentials: { apiId: 'accuauth-sandbox-id', apiSecret: 'accuauth-sandbox-secret' },
  /** Largest decoded image accepted, in bytes. */
  imageLimitBytes: ACCUAUTH_IMAGE_LIMIT_BYTES,
  /** id_selfie result code → NIK that produces it (id_name uses 01..04 of the same NIKs). */
  results: Object.fromEntries(Object.keys(SELFIE_REMARKS).map((code) => [code, nik(code)])) as Record<string, string>,
  /** Vendor error status → NIK that produces it, on every endpoint. */
  httpErrors: Object.fromEntries(Object.entries(HTTP_ERRORS).map(([suffix, e]) => [e.code, nik(suffix)])) as Record<string, string>,
  /** id_selfie NIKs whose answer carries `registry_photo` (our assumption): a match and a mismatch. */
  referencePhoto: { match: nik('31'), mismatch: nik('32') },
  /** A NIK with no magic suffix: answers like 01 (id_name_check: score 1.0). */
  plain: nik('99'),
  /** id_name_check score for suffix 02. */
  lowNamePercent: 0.42,
};

export interface Answer {
  httpStatus: number;
  body: object;
  /** Billing counter key, e.g. `id_selfie:01` or `id_name:OUT_OF_QUOTA`. */
  scenario: string;
  charged: boolean;
}

export const requestId = () => `TID${randomBytes(16).toString('hex')}`;

/** `YYYY-MM-DD HH:MM:SS` in Western Indonesian Time (UTC+7), as the vendor's sample looks. */
const handleTime = () => new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');

export const errorAnswer = (scenario: string, httpStatus: number, code: string, reason: string): Answer => ({
  httpStatus,
  body: { status: code, reason, request_id: requestId() },
  scenario,
  charged: false,
});

/** The vendor's answer to a valid body, chosen by the NIK's last two digits. */
export function scenarioAnswer(op: AccuauthOperation, body: Record<string, unknown>, orderNo: () => string): Answer {
  const suffix = String(body.id_number).slice(-2);
  const httpError = HTTP_ERRORS[suffix];
  if (httpError) return errorAnswer(`${op}:${httpError.code}`, httpError.httpStatus, httpError.code, httpError.reason);
  const ok = (scenario: string, result: object, charged: boolean): Answer => ({
    httpStatus: 200,
    body: { status: 'OK', result, request_id: requestId() },
    scenario,
    charged,
  });
  if (op === 'id_name_check') {
    if (suffix in SELFIE_REMARKS && suffix !== '01' && suffix !== '02') {
      return errorAnswer(`${op}:QUERY_FAILED`, 400, 'QUERY_FAILED', 'Query failed: no name on record for this id_number');
    }
    const low = suffix === '02';
    return ok(
      `${op}:${low ? 'low' : 'high'}`,
      { real_name: mask(low ? 'Siti Wulandari' : String(body.name)), name_percent: low ? ACCUAUTH_SANDBOX.lowNamePercent : 1.0 },
      true,
    );
  }
  const remarks = op === 'id_selfie' ? SELFIE_REMARKS : NAME_REMARKS;
  const code = (op === 'id_selfie' ? PHOTO_RESULTS[suffix] : undefined) ?? (suffix in remarks ? suffix : '01');
  const charged = code === '01' || code === '02';
  const base = { order_no: orderNo(), handle_time: handleTime(), result: code, remark: remarks[code] };
  if (op === 'id_name') return ok(`${op}:${code}`, base, charged);
  const match = code === '01';
  const hasKtp = typeof body.ktp_image === 'string';
  return ok(
    `${op}:${code}`,
    {
      ...base,
      id_number: body.id_number,
      face_percent: match,
      ktp_face_percent: match && hasKtp,
      face_score: match ? 92.5 : code === '02' ? 53.3 : 0.0,
      ktp_face_score: match && hasKtp ? 90.1 : 0.0,
      name: match && typeof body.name === 'string',
      birth_date: match && typeof body.birth_date === 'string',
    },
    charged,
  );
}

/** `Budi Santoso` → `B**i S*****o`, the partly masked name the vendor returns. */
const mask = (name: string) => name.replace(/\S+/g, (w) => (w.length <= 2 ? w : `${w[0]}${'*'.repeat(w.length - 2)}${w[w.length - 1]}`));
