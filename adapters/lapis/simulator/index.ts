/**
 * A local Lapis eKYC server (reference/providers.md section 2): same paths, headers, bodies and error
 * strings as the vendor, documents and eKYC requests kept in memory.
 *
 * Scenarios are chosen by markers in the caller's input, so tests and demos are deterministic. A marker
 * counts when it appears in an image/video URL or inside the decoded bytes of a base64 payload:
 *
 *   marker               where                         answer
 *   lapis-unrecognised   front image (doc upload)      400 {"error":"The document supplied is not recognized!"}
 *   lapis-unreachable    any image/video URL           400 invalid ... image/video provided (URL not downloadable)
 *   lapis-mismatch       face image                    400 {"error":"Face match verification FAILED!"}
 *   lapis-spoof          liveliness video              400 {"error":":liveliness verification FAILED!"}
 *   lapis-unvalidated    eKYC request email            the request stays isValidated: false (the person never did the OTP and call)
 *   lapis-validates-later eKYC request email           isValidated: false the first time it is listed, true after (the person
 *                                                      did the OTP and call meanwhile)
 *
 * Without a marker: a PNG/JPEG (by magic bytes) or any http(s) URL is a recognised document with the fixed
 * sample data below, a face scores 0.92, a video passes. Other documented answers follow from the input:
 * a non-PNG/JPEG base64 image, a base64 video without its data-URI prefix, URL and base64 both given,
 * an unknown document id, an email or phone number already used by an open (not yet accepted) request
 * (409), an unknown request id on accept, a wrong `x-api-key` (401), base64 payloads over 30 MiB (plain 413).
 *
 * Assumptions where Lapis documents nothing (each is also noted in config/error-map/lapis.json):
 * - Paths of document upload, liveliness and get-one: DEFAULT_LAPIS_PATHS. Document upload answers 200
 *   `{id, idInformation}`; liveliness 200 `{"message":"Liveliness verification successful"}`.
 * - The 409 body is `{"error":"A request with this email or phone number is already open!"}`.
 * - The size limit is 30 MiB of base64 text (Express' reading of "30mb"); the body limit adds 64 KiB of JSON.
 * - A new request is `isValidated: true` at once (the user's email OTP and phone call are not simulated),
 *   unless its email carries the `lapis-unvalidated` or `lapis-validates-later` marker;
 *   get-one of an unknown id answers 200 `{"requests":[]}`, delete of an unknown id 200 as for a known one.
 * - A body that is not a JSON object: 400 `{"error":"invalid request body"}` (undocumented; the adapter
 *   never sends one).
 * - Out of quota (fault knob): 429 `{"error":"quota exceeded"}` on the billable operations.
 * - Server error (fault knob): 500 `{"error":"Internal Server Error"}`.
 *
 * Billing (Lapis publishes no pricing; this model is ours): a call is billed when Lapis reached a verdict
 * on the person's material: document upload recognised or not recognised, face match or mismatch,
 * liveliness passed or failed. Validation errors, unknown ids, 401, 413, 429 and 5xx are free, and so
 * are the request-management calls (create, accept, list, get, delete).
 */
import { randomInt } from 'node:crypto';
import type { Express, NextFunction, Request, Response } from 'express';
import { listen, parseJsonBody, simulatorApp, SimulatorState, type RunningSimulator } from '../../simulator-kit';
import { DEFAULT_LAPIS_PATHS } from '../client';
import { LAPIS_TOO_LARGE_TEXT } from '../schemas';
import { LAPIS_MARKERS, LAPIS_SIMULATOR_FACE_SCORE, SAMPLE_ID_INFORMATION, verdictRoutes, type StoredDocument } from './scenarios';
import { base64Total, ERR, type Body } from './validation';

export { LAPIS_MARKERS, LAPIS_SIMULATOR_FACE_SCORE };

/** The key the simulator accepts unless another is given. */
export const LAPIS_SIMULATOR_API_KEY = 'lapis-sim-key';

/** Base64 text the simulator accepts per call, in bytes: Express' reading of Lapis' "30mb". */
export const LAPIS_SIMULATOR_BASE64_LIMIT = 30 * 1024 * 1024;

interface StoredRequest {
  id: number;
  email: string;
  phoneNumber: string;
  documentId: string;
  isValidated: boolean;
  isAccepted: boolean;
}

export interface LapisSimulatorOptions {
  /** The `x-api-key` the simulator accepts (default LAPIS_SIMULATOR_API_KEY). */
  apiKey?: string;
}

export function lapisSimulator(options: LapisSimulatorOptions = {}): { app: Express; state: SimulatorState } {
  const apiKey = options.apiKey ?? LAPIS_SIMULATOR_API_KEY;
  const state = new SimulatorState();
  const documents = new Map<string, StoredDocument>();
  const requests = new Map<number, StoredRequest>();

  const error = (res: Response, status: number, message: string, scenario: string, charged = false) => {
    state.record(scenario, charged);
    res.status(status).json({ error: message });
  };
  const tooLarge = (res: Response) => {
    state.record('too_large', false);
    res.status(413).type('text/plain').send(LAPIS_TOO_LARGE_TEXT);
  };

  /** The JSON object body, or an answer already sent (undefined). */
  const bodyOf = (req: Request, res: Response): Body | undefined => {
    const parsed = parseJsonBody(req.body);
    if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) {
      error(res, 400, ERR.badBody, 'bad_body');
      return undefined;
    }
    const body = parsed.value as Body;
    if (base64Total(body) > LAPIS_SIMULATOR_BASE64_LIMIT) {
      tooLarge(res);
      return undefined;
    }
    return body;
  };

  const authenticate = (req: Request, res: Response, next: NextFunction) => {
    if (req.get('x-api-key') !== apiKey) return error(res, 401, ERR.apiKey, 'unauthorised');
    next();
  };

  /** Out of quota only matters where Lapis would bill. */
  const quota = (_req: Request, res: Response, next: NextFunction) => {
    if (state.faults.quotaExhausted) return error(res, 429, ERR.quota, 'quota_exhausted');
    next();
  };

  const { uploadDocument, authenticateFace, verifyLiveliness } = verdictRoutes({ state, documents, error, bodyOf });

  const createRequest = (req: Request, res: Response) => {
    const body = bodyOf(req, res);
    if (!body) return;
    const { email, phoneNumber, documentIdentificationId } = body;
    if (typeof email !== 'string' || typeof phoneNumber !== 'string' || !email || !phoneNumber)
      return error(res, 400, ERR.badBody, 'bad_body');
    const documentId = String(documentIdentificationId);
    if (!documents.has(documentId)) return error(res, 400, ERR.noDocument, 'request_unknown_document');
    const open = [...requests.values()].filter((r) => !r.isAccepted);
    if (open.some((r) => r.email === email || r.phoneNumber === phoneNumber)) return error(res, 409, ERR.duplicate, 'request_duplicate');
    let id = randomInt(100_000_000, 1_000_000_000);
    while (requests.has(id)) id = randomInt(100_000_000, 1_000_000_000);
    const isValidated = !email.includes(LAPIS_MARKERS.unvalidatedRequest) && !email.includes(LAPIS_MARKERS.validatesLater);
    requests.set(id, { id, email, phoneNumber, documentId, isValidated, isAccepted: false });
    state.record('request_created', false);
    res.status(201).json({ message: 'Request submitted' });
  };

  const requestOf = (id: unknown) => requests.get(Number(id));

  const render = (r: StoredRequest) => {
    const doc = documents.get(r.documentId);
    return {
      id: r.id,
      email: r.email,
      phoneNumber: r.phoneNumber,
      isValidated: r.isValidated,
      isAccepted: r.isAccepted,
      idFrontImage: doc?.images.front ?? null,
      idBackImage: doc?.images.back ?? null,
      idSideImage: doc?.images.side ?? null,
      faceImage: doc?.faceImage ?? null,
      faceMatch: doc?.faceMatch ?? null,
      idInformation: SAMPLE_ID_INFORMATION,
    };
  };

  const acceptRequest = (req: Request, res: Response) => {
    const body = bodyOf(req, res);
    if (!body) return;
    const found = requestOf(body.id);
    if (!found) {
      state.record('request_not_accepted', false);
      return void res.status(400).json({ message: 'Kyc request not accepted' });
    }
    found.isAccepted = true;
    state.record('request_accepted', false);
    res.status(200).json({ message: 'Kyc request accepted' });
  };

  const listRequests = (req: Request, res: Response) => {
    const accepted = req.query.accepted;
    const all = [...requests.values()];
    const chosen = accepted === 'true' || accepted === 'false' ? all.filter((r) => r.isAccepted === (accepted === 'true')) : all;
    state.record('requests_listed', false);
    res.status(200).json({ requests: chosen.map(render) });
    // Seen once unvalidated: by the next look the person has done the email OTP and the phone call.
    for (const r of chosen) if (r.email.includes(LAPIS_MARKERS.validatesLater)) r.isValidated = true;
  };

  const getRequest = (req: Request, res: Response) => {
    const found = requestOf(req.params.id);
    state.record('request_fetched', false);
    res.status(200).json({ requests: found ? [render(found)] : [] });
  };

  const deleteRequest = (req: Request, res: Response) => {
    const body = bodyOf(req, res);
    if (!body) return;
    requests.delete(Number(body.id));
    state.record('request_deleted', false);
    res.status(200).json({ message: 'KYC request deleted!' });
  };

  const p = DEFAULT_LAPIS_PATHS;
  const app = simulatorApp(
    'lapis',
    state,
    {
      serverError: (res) => error(res, 500, 'Internal Server Error', 'server_error'),
      malformed: (res) => {
        state.record('malformed_body', false);
        res.status(200).type('application/json').send('{"score": 0.9');
      },
      tooLarge,
    },
    (a) => {
      a.use('/api', authenticate);
      a.post(p.documentUpload, quota, uploadDocument);
      a.post(p.faceAuthentication, quota, authenticateFace);
      a.post(p.liveliness, quota, verifyLiveliness);
      a.post(p.createRequest, createRequest);
      a.put(p.acceptRequest, acceptRequest);
      a.get(p.listRequests, listRequests);
      a.get(p.getRequest.replace('{id}', ':id'), getRequest);
      a.delete(p.deleteRequest, deleteRequest);
    },
    // The JSON envelope around 30 MiB of base64 needs a little room; the base64 total is checked per route.
    { bodyLimitBytes: LAPIS_SIMULATOR_BASE64_LIMIT + 64 * 1024 },
  );
  return { app, state };
}

/** Starts the simulator on 127.0.0.1 (port 0 picks a free one). */
export async function startLapisSimulator(
  port = 0,
  options: LapisSimulatorOptions = {},
  host = '127.0.0.1',
): Promise<RunningSimulator & { state: SimulatorState }> {
  const { app, state } = lapisSimulator(options);
  return { ...(await listen(app, port, host)), state };
}
