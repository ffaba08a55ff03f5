/**
 * AccuAuth Indonesia simulator: the vendor's wire format (providers.md 3, seed 001) over a local port.
 *
 * Magic inputs (also exported as ACCUAUTH_SANDBOX):
 * - Credentials: headers `X-DF-API-ID: accuauth-sandbox-id`, `X-DF-API-SECRET: accuauth-sandbox-secret`
 *   (overridable); anything else answers 401 UNAUTHORIZED.
 * - The scenario is the last two digits of a well-formed 16-digit NIK (`id_number`), e.g. 32170610128700xx:
 *   - `/verify/id_selfie`: 01 match, 02 mismatch (remark UNSAME), 03 not found, 04 failed, 05 not found
 *     from db, 06 channel failed, 07 rate limited, 08 no face detected; any other suffix answers 01.
 *   - `/verify/id_name`: 01 match, 02 mismatch, 03 not sure (remark UNKNOW), 04 failed; any other answers 01.
 *   - `/verify/id_name_check`: 02 scores 0.42; 03..08 answer 400 QUERY_FAILED (the endpoint has no result
 *     code, so a lookup that yields no score fails the query); any other suffix scores 1.0.
 *   - `/verify/id_selfie` with a reference photo (OUR ASSUMPTION, providers.md 4.3: no vendor source shows a
 *     Dukcapil verdict returning one; seed 000 assumes it): 31 → 01 match and 32 → 02 mismatch, each with
 *     `registry_photo`, a real face cropped passport-style (reference-photo.ts). Elsewhere 31 and 32 answer 01.
 *   - On every endpoint: 41 → 400 QUERY_FAILED, 42 → 400 ABNORMAL_BEHAVIOURS_DETECTED, 43 → 401 KEY_EXPIRED,
 *     44 → 403 NO_PERMISSION, 45 → 403 OUT_OF_QUOTA, 46 → 403 RATE_LIMIT_EXCEEDED, 47 → 404 NOT_FOUND,
 *     50 → 500 INTERNAL_ERROR, 52 → 512 SOURCE_SERVICE_UNAVAILABLE, 53 → 513 SOURCE_SERVICE_TIMEOUT.
 * - 400 INVALID_ARGUMENT (`argument '<field>': <why>`) for a missing or malformed field, an id_number that is
 *   not 16 digits, or an image over 50 KB decoded. Unknown paths answer 404 NOT_FOUND.
 * Billing (GET /__sim/billing): results 01 and 02 are charged, as the vendor documents; an id_name_check
 * score is charged too (an answered lookup, our inference); every other answer is free. The kit's
 * `quotaExhausted` knob answers 403 OUT_OF_QUOTA to every valid call.
 * Remarks other than UNSAME and UNKNOW, and the id_name_check failures, are not documented: they are ours.
 */
import { randomBytes } from 'node:crypto';
import type { Express, Request, Response } from 'express';
import { listen, parseJsonBody, SimulatorState, simulatorApp, type RunningSimulator } from '../simulator-kit';
import { ACCUAUTH_PATHS, type AccuauthOperation } from './client';
import { sampleReferencePhoto } from './reference-photo';
import { ACCUAUTH_IMAGE_LIMIT_BYTES } from './schemas';

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
const PHOTO_RESULTS: Record<string, string> = { '31': '01', '32': '02' };

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

interface Answer {
  httpStatus: number;
  body: object;
  /** Billing counter key, e.g. `id_selfie:01` or `id_name:OUT_OF_QUOTA`. */
  scenario: string;
  charged: boolean;
}

const requestId = () => `TID${randomBytes(16).toString('hex')}`;

/** `YYYY-MM-DD HH:MM:SS` in Western Indonesian Time (UTC+7), as the vendor's sample looks. */
const handleTime = () => new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');

const errorAnswer = (scenario: string, httpStatus: number, code: string, reason: string): Answer => ({
  httpStatus,
  body: { status: code, reason, request_id: requestId() },
  scenario,
  charged: false,
});

const isBase64 = (s: string) => s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s);

/** The vendor's INVALID_ARGUMENT reason for this body, or undefined when it is valid. */
function invalidArgument(op: AccuauthOperation, body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'request body must be a JSON object';
  const b = body as Record<string, unknown>;
  const str = (field: string, required: boolean): string | undefined => {
    if (b[field] === undefined || b[field] === null) return required ? `argument '${field}': not found` : undefined;
    if (typeof b[field] !== 'string') return `argument '${field}': must be a string`;
    if (required && b[field] === '') return `argument '${field}': not found`;
    return undefined;
  };
  const image = (field: string, required: boolean): string | undefined => {
    const wrong = str(field, required);
    const value = b[field];
    if (wrong || typeof value !== 'string') return wrong;
    if (!isBase64(value)) return `argument '${field}': invalid base64`;
    if (Buffer.byteLength(value, 'base64') > ACCUAUTH_IMAGE_LIMIT_BYTES) return `argument '${field}': image size exceeds 50KB`;
    return undefined;
  };
  const idWrong = str('id_number', true);
  if (idWrong) return idWrong;
  if (!/^\d{16}$/.test(b.id_number as string)) return "argument 'id_number': invalid format";
  if (op !== 'id_selfie') return str('name', true);
  const birth = str('birth_date', false);
  if (birth) return birth;
  if (typeof b.birth_date === 'string' && !/^\d{4}-\d{2}-\d{2}$/.test(b.birth_date)) return "argument 'birth_date': invalid format";
  if (b.face_threshold !== undefined && typeof b.face_threshold !== 'number') return "argument 'face_threshold': must be a float";
  return image('face_image', true) ?? image('ktp_image', false) ?? str('name', false) ?? str('email', false) ?? str('phone_number', false);
}

/** The vendor's answer to a valid body, chosen by the NIK's last two digits. */
function scenarioAnswer(op: AccuauthOperation, body: Record<string, unknown>, orderNo: () => string): Answer {
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

/** Options of the AccuAuth simulator. */
export interface AccuauthSimulatorOptions {
  /** Expected `X-DF-API-ID` (default ACCUAUTH_SANDBOX.credentials.apiId). */
  apiId?: string;
  /** Expected `X-DF-API-SECRET` (default ACCUAUTH_SANDBOX.credentials.apiSecret). */
  apiSecret?: string;
}

export function accuauthSimulator(options: AccuauthSimulatorOptions = {}): { app: Express; state: SimulatorState } {
  const apiId = options.apiId ?? ACCUAUTH_SANDBOX.credentials.apiId;
  const apiSecret = options.apiSecret ?? ACCUAUTH_SANDBOX.credentials.apiSecret;
  const state = new SimulatorState();
  let sequence = 0;
  // `SFBw` + 19 digits, as in the sample: epoch ms (13 digits) then a 6-digit sequence.
  const orderNo = () => `SFBw${BigInt(Date.now()) * 1_000_000n + BigInt(sequence++ % 1_000_000)}`;
  const send = (res: Response, answer: Answer) => {
    state.record(answer.scenario, answer.charged);
    res.status(answer.httpStatus).json(answer.body);
  };

  const handler = (op: AccuauthOperation) => async (req: Request, res: Response) => {
    if (req.get('x-df-api-id') !== apiId || req.get('x-df-api-secret') !== apiSecret) {
      return send(res, errorAnswer(`${op}:UNAUTHORIZED`, 401, 'UNAUTHORIZED', 'Unauthorized or access is denied'));
    }
    const parsed = parseJsonBody(req.body);
    if (!parsed.ok) return send(res, errorAnswer(`${op}:INVALID_ARGUMENT`, 400, 'INVALID_ARGUMENT', 'request body is not valid JSON'));
    const reason = invalidArgument(op, parsed.value);
    if (reason) return send(res, errorAnswer(`${op}:INVALID_ARGUMENT`, 400, 'INVALID_ARGUMENT', reason));
    if (state.faults.quotaExhausted) return send(res, errorAnswer(`${op}:OUT_OF_QUOTA`, 403, 'OUT_OF_QUOTA', 'API calls quota exceeded'));
    const body = parsed.value as Record<string, unknown>;
    const answer = scenarioAnswer(op, body, orderNo);
    if (op === 'id_selfie' && String(body.id_number).slice(-2) in PHOTO_RESULTS) {
      const result = (answer.body as { result: Record<string, unknown> }).result;
      result.registry_photo = await sampleReferencePhoto();
    }
    send(res, answer);
  };

  const app = simulatorApp(
    'accuauth',
    state,
    {
      serverError: (res) =>
        void res.status(500).json({ status: 'INTERNAL_ERROR', reason: 'Internal server error', request_id: requestId() }),
      // A cut-off JSON body, as a proxy dropping the connection mid-answer leaves it.
      malformed: (res) => void res.status(200).type('application/json').send('{"status":"OK","result":{"order_no":"SFBw'),
      tooLarge: (res) =>
        void res.status(400).json({ status: 'INVALID_ARGUMENT', reason: 'request body too large', request_id: requestId() }),
    },
    (app) => {
      for (const op of Object.keys(ACCUAUTH_PATHS) as AccuauthOperation[]) app.post(ACCUAUTH_PATHS[op], handler(op));
      app.use((_req, res) => send(res, errorAnswer('NOT_FOUND', 404, 'NOT_FOUND', 'Requested API cannot be found')));
    },
    // Two 50 KB images in base64 plus the text fields stay well under 1 MB.
    { bodyLimitBytes: 1024 * 1024 },
  );
  return { app, state };
}

/** Starts the simulator on 127.0.0.1 (port 0 picks a free one). */
export async function startAccuauthSimulator(
  port = 0,
  options: AccuauthSimulatorOptions = {},
  host = '127.0.0.1',
): Promise<RunningSimulator & { state: SimulatorState }> {
  const { app, state } = accuauthSimulator(options);
  return { ...(await listen(app, port, host)), state };
}
