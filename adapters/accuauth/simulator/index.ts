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
 * score is charged too (an answered lookup, our inference); every other answer is free. Each call whose body
 * carries a string `id_number` is also recorded under that NIK (GET /__sim/billed[?ref=<NIK>]), so a caller
 * can tell which request the vendor billed and how many times. The kit's
 * `quotaExhausted` knob answers 403 OUT_OF_QUOTA to every valid call.
 * Remarks other than UNSAME and UNKNOW, and the id_name_check failures, are not documented: they are ours.
 */
import type { Express, Request, Response } from 'express';
import { listen, parseJsonBody, SimulatorState, simulatorApp, type RunningSimulator } from '../../simulator-kit';
import { ACCUAUTH_PATHS, type AccuauthOperation } from '../client';
import { sampleReferencePhoto } from '../reference-photo';
import { ACCUAUTH_SANDBOX, errorAnswer, PHOTO_RESULTS, requestId, scenarioAnswer, type Answer } from './scenarios';
import { invalidArgument } from './validation';

export { ACCUAUTH_SANDBOX };

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
  const send = (res: Response, answer: Answer, ref?: string) => {
    state.record(answer.scenario, answer.charged, ref);
    res.status(answer.httpStatus).json(answer.body);
  };

  const handler = (op: AccuauthOperation) => async (req: Request, res: Response) => {
    if (req.get('x-df-api-id') !== apiId || req.get('x-df-api-secret') !== apiSecret) {
      return send(res, errorAnswer(`${op}:UNAUTHORIZED`, 401, 'UNAUTHORIZED', 'Unauthorized or access is denied'));
    }
    const parsed = parseJsonBody(req.body);
    if (!parsed.ok) return send(res, errorAnswer(`${op}:INVALID_ARGUMENT`, 400, 'INVALID_ARGUMENT', 'request body is not valid JSON'));
    const ref = refOf(parsed.value);
    const reason = invalidArgument(op, parsed.value);
    if (reason) return send(res, errorAnswer(`${op}:INVALID_ARGUMENT`, 400, 'INVALID_ARGUMENT', reason), ref);
    if (state.faults.quotaExhausted) {
      return send(res, errorAnswer(`${op}:OUT_OF_QUOTA`, 403, 'OUT_OF_QUOTA', 'API calls quota exceeded'), ref);
    }
    const body = parsed.value as Record<string, unknown>;
    const answer = scenarioAnswer(op, body, orderNo);
    if (op === 'id_selfie' && String(body.id_number).slice(-2) in PHOTO_RESULTS) {
      const result = (answer.body as { result: Record<string, unknown> }).result;
      result.registry_photo = await sampleReferencePhoto();
    }
    send(res, answer, ref);
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

/**
 * The NIK a request names: the reference its billing is recorded under. None when the body has no string
 * id_number, or one longer than 64 characters (a hostile body must not grow the counters' keys).
 */
function refOf(body: unknown): string | undefined {
  const id = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).id_number : undefined;
  return typeof id === 'string' && id.length <= 64 ? id : undefined;
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
