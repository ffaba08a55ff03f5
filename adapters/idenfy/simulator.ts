/**
 * A local iDenfy (reference/providers.md section 1, seed 002): Basic auth, the v2 token endpoint with
 * iDenfy's parse, field and business errors, /api/v2/status and /api/v2/data, a hosted page, and signed
 * webhooks. Facts marked [I] in providers.md are the simulator's choices, repeated here where used.
 *
 * Scenarios are chosen by the suffix of the token's `clientId`, else of its `firstName` (any case);
 * no suffix means `-approved`. Completing the hosted session plays the scenario's webhooks in order:
 *   -approved   IDENTIFICATION_AUTO_FINISHED  final  APPROVED   FACE_MATCH, DOC_VALIDATED
 *   -denied     IDENTIFICATION_AUTO_FINISHED  final  DENIED     FACE_MISMATCH
 *   -suspected  IDENTIFICATION_AUTO_FINISHED  final  SUSPECTED  mismatchTags NAME, fraudTags DOC_MOBILE_PHOTO
 *   -review     IDENTIFICATION_AUTO_FINISHED  final=false REVIEWING, then IDENTIFICATION_MANUAL_FINISHED final APPROVED
 *   -expired    IDENTIFICATION_EXPIRED  EXPIRED: the user never started (the page's button stands in for the clock)
 *   -cancelled  IDENTIFICATION_CANCELLED  EXPIRED [I]: iDenfy does not say what overall a cancelled session has;
 *               the not-completed state keeps a status fetch agreeing with the webhook that it is free
 *   -no-face    IDENTIFICATION_AUTO_FINISHED  final  DENIED     NO_FACE_FOUND
 *   -doc-fake   IDENTIFICATION_AUTO_FINISHED  final  DENIED     DOC_FAKE, fraudTags DOC_PRINT_SPOOFED
 * A token past its expiryTime reads as EXPIRED on any later request (no webhook is sent for that).
 *
 * Routes besides the vendor's: GET /api/v2/redirect?authToken= (the hosted page), POST
 * /sim/hosted/:authToken/complete (303 to the success/error/unverified URL, or JSON with the webhook
 * deliveries when the request accepts application/json), GET|POST /__sim/idenfy/account (credits,
 * partnerActive, rateLimitPerHour, customCallbackUrl, webhookUrl) and GET /__sim/idenfy/deliveries.
 * These sit outside the fault knobs: they are the browser's and the operator's side, not the API's.
 *
 * Billing (providers.md 1.7 model [I]): a token checks the balance (402 at zero credits or with the
 * quotaExhausted fault) and is recorded as an uncharged `token` call; the debit happens when a session
 * reaches a billable final state (APPROVED on pay_per_approved; APPROVED, DENIED or SUSPECTED on
 * pay_per_completed), recorded under the scenario's name. Expired and cancelled sessions are free.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import express, { type Express, type Request, type Response } from 'express';
import { z } from 'zod';
import { listen, simulatorApp, SimulatorState, type RunningSimulator } from '../simulator-kit';
import { IDENFY_PATHS } from './client';
import { signWebhook } from './webhook';
import type { IdenfyEventType, IdenfyOverallStatus } from './schemas';

export const IDENFY_PLANS = ['pay_per_approved', 'pay_per_completed'] as const;
export type IdenfyPlan = (typeof IDENFY_PLANS)[number];

export interface IdenfySimulatorOptions {
  /** Basic-auth username the simulator accepts (default `sim-idenfy-key`). */
  apiKey?: string;
  /** Basic-auth password the simulator accepts (default `sim-idenfy-secret`). */
  apiSecret?: string;
  /** HMAC key of `Idenfy-Signature` (default: the API secret, as iDenfy's legacy docs say). */
  signingKey?: string;
  /** What a finished session costs (default `pay_per_approved`). */
  plan?: IdenfyPlan;
  /** Base URL the hosted-page links point at (default: the Host the token request came to). */
  publicUrl?: string;
  /** The dashboard's webhook URL, used when a token has no callbackUrl (default none: webhooks are not sent). */
  webhookUrl?: string;
  /** Verification credits; null is unlimited (default null). */
  credits?: number | null;
  /** Clock in ms since the epoch, for expiry (default Date.now). */
  now?: () => number;
}

type Scenario = 'approved' | 'denied' | 'suspected' | 'review' | 'expired' | 'cancelled' | 'no-face' | 'doc-fake';

interface Step {
  event: IdenfyEventType;
  final: boolean;
  overall: IdenfyOverallStatus;
  autoFace: string | null;
  autoDocument: string | null;
  manualFace?: string;
  manualDocument?: string;
  fraudTags?: string[];
  mismatchTags?: string[];
}

const verdict = (overall: IdenfyOverallStatus, autoFace: string, autoDocument: string, extra: Partial<Step> = {}): Step => ({
  event: 'IDENTIFICATION_AUTO_FINISHED',
  final: true,
  overall,
  autoFace,
  autoDocument,
  ...extra,
});
const notCompleted = (event: IdenfyEventType): Step => ({ event, final: true, overall: 'EXPIRED', autoFace: null, autoDocument: null });

const SCENARIOS: Record<Scenario, Step[]> = {
  approved: [verdict('APPROVED', 'FACE_MATCH', 'DOC_VALIDATED')],
  denied: [verdict('DENIED', 'FACE_MISMATCH', 'DOC_VALIDATED')],
  suspected: [verdict('SUSPECTED', 'FACE_MATCH', 'DOC_VALIDATED', { mismatchTags: ['NAME'], fraudTags: ['DOC_MOBILE_PHOTO'] })],
  review: [
    verdict('REVIEWING', 'FACE_UNCERTAIN', 'DOC_VALIDATED', { final: false }),
    verdict('APPROVED', 'FACE_UNCERTAIN', 'DOC_VALIDATED', {
      event: 'IDENTIFICATION_MANUAL_FINISHED',
      manualFace: 'FACE_MATCH',
      manualDocument: 'DOC_VALIDATED',
    }),
  ],
  expired: [notCompleted('IDENTIFICATION_EXPIRED')],
  cancelled: [notCompleted('IDENTIFICATION_CANCELLED')],
  'no-face': [verdict('DENIED', 'NO_FACE_FOUND', 'DOC_VALIDATED')],
  'doc-fake': [verdict('DENIED', 'FACE_MATCH', 'DOC_FAKE', { fraudTags: ['DOC_PRINT_SPOOFED'] })],
};
const SCENARIO_NAMES = Object.keys(SCENARIOS) as Scenario[];

function scenarioOf(...candidates: unknown[]): Scenario {
  for (const value of candidates) {
    if (typeof value !== 'string') continue;
    const found = SCENARIO_NAMES.find((s) => value.toLowerCase().endsWith(`-${s}`));
    if (found) return found;
  }
  return 'approved';
}

interface Session {
  scanRef: string;
  authToken: string;
  scenario: Scenario;
  token: Record<string, unknown>;
  createdAt: number;
  expiryTime: number;
  status: IdenfyOverallStatus;
  step?: Step;
  startTime?: number;
  finishTime?: number;
}

export interface WebhookDelivery {
  scanRef: string;
  eventType: IdenfyEventType;
  url: string | null;
  /** HTTP status of the receiver's answer; null when nothing answered. */
  status: number | null;
  error?: string;
}

const Account = z
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
type Account = z.infer<typeof Account>;

const err = (res: Response, status: number, body: Record<string, unknown>) => void res.status(status).json(body);
const MESSAGES = {
  auth: 'Invalid authorization credentials',
  inactive: 'Partner inactive',
  funds: 'Action not allowed due to lack of funds or exceeded limit.',
  emptyJson: 'An error occurred while parsing/constructing JSON',
  nullBody: 'Some of required values are missing',
} as const;

/** [I] iDenfy does not publish the mobile-code lifetime limit; one day stands in for it. */
const MOBILE_CODE_MAX_EXPIRY = 86_400;
const DEFAULT_URLS = {
  successUrl: 'https://ui.idenfy.com/result?status=success',
  errorUrl: 'https://ui.idenfy.com/result?status=fail',
  unverifiedUrl: 'https://ui.idenfy.com/result?status=unverified',
};

export function idenfySimulator(options: IdenfySimulatorOptions = {}): { app: Express; state: SimulatorState } {
  const state = new SimulatorState();
  const apiKey = options.apiKey ?? 'sim-idenfy-key';
  const apiSecret = options.apiSecret ?? 'sim-idenfy-secret';
  const signingKey = options.signingKey ?? apiSecret;
  const plan = options.plan ?? 'pay_per_approved';
  const now = options.now ?? Date.now;
  let account: Account = Account.parse({
    credits: options.credits ?? null,
    partnerActive: true,
    rateLimitPerHour: 10_000,
    customCallbackUrl: true,
    webhookUrl: options.webhookUrl ?? null,
  });
  const sessions = new Map<string, Session>();
  const byToken = new Map<string, Session>();
  const deliveries: WebhookDelivery[] = [];
  let throttle = { hour: -1, count: 0 };

  const publicUrl = (req: Request) => options.publicUrl ?? `${req.protocol}://${req.get('host') ?? '127.0.0.1'}`;

  /** Lazily ends a token nobody used before its expiryTime: free, like every never-started session. */
  const expireIfDue = (s: Session) => {
    if (s.status === 'ACTIVE' && now() >= s.createdAt + s.expiryTime * 1000) {
      s.status = 'EXPIRED';
      s.step = notCompleted('IDENTIFICATION_EXPIRED');
      state.record('expired', false);
    }
    return s;
  };

  const billable = (overall: IdenfyOverallStatus) =>
    overall === 'APPROVED' || (plan === 'pay_per_completed' && (overall === 'DENIED' || overall === 'SUSPECTED'));

  const api = simulatorApp(
    'idenfy',
    state,
    {
      serverError: (res) => err(res, 500, { identifier: 'INTERNAL_ERROR', message: 'Internal server error.' }),
      malformed: (res) => void res.status(200).type('text/html').send('<html><body><h1>502 Bad Gateway</h1>'),
    },
    (app) => {
      const paths = Object.values(IDENFY_PATHS);
      // Authentication, account state and throttling come before any request processing (seed 002).
      app.use(paths, (req, res, next) => {
        if (!authorised(req.get('authorization'), apiKey, apiSecret)) return err(res, 401, { message: MESSAGES.auth });
        if (!account.partnerActive) return err(res, 403, { message: MESSAGES.inactive });
        const hour = Math.floor(now() / 3_600_000);
        throttle = throttle.hour === hour ? { hour, count: throttle.count + 1 } : { hour, count: 1 };
        if (throttle.count > account.rateLimitPerHour) {
          res.set('Retry-After', String(Math.ceil(((hour + 1) * 3_600_000 - now()) / 1000)));
          return err(res, 429, {
            identifier: 'TOO_MANY_REQUESTS',
            message: `Request limit of ${account.rateLimitPerHour} requests per hour exceeded.`,
          });
        }
        next();
      });

      app.post(IDENFY_PATHS.token, (req, res) => {
        if (state.faults.quotaExhausted || account.credits === 0) return err(res, 402, { message: MESSAGES.funds });
        const body = readObject(req.body);
        if (!body.ok) return err(res, 400, body.error);
        const invalid = validateToken(body.value) ?? businessRule(body.value, account);
        if (invalid) return err(res, 400, invalid);
        const session = createSession(body.value, publicUrl(req), now());
        sessions.set(session.scanRef, session);
        byToken.set(session.authToken, session);
        state.record('token', false);
        res.status(201).json(session.token);
      });

      app.post(IDENFY_PATHS.status, (req, res) => {
        const found = lookup(req.body, sessions);
        if (!found.ok) return err(res, 400, found.error);
        const s = expireIfDue(found.session);
        res.json({
          status: s.status,
          final: s.status !== 'ACTIVE' && (s.step?.final ?? true),
          autoFace: s.step?.autoFace ?? null,
          autoDocument: s.step?.autoDocument ?? null,
          manualFace: s.step?.manualFace ?? null,
          manualDocument: s.step?.manualDocument ?? null,
          fraudTags: s.step?.fraudTags ?? [],
          mismatchTags: s.step?.mismatchTags ?? [],
          scanRef: s.scanRef,
          clientId: s.token.clientId,
        });
      });

      app.post(IDENFY_PATHS.data, (req, res) => {
        const found = lookup(req.body, sessions);
        if (!found.ok) return err(res, 400, found.error);
        const s = expireIfDue(found.session);
        res.json({ ...identityData(s), scanRef: s.scanRef, clientId: s.token.clientId });
      });

      app.all(paths, (req, res) => err(res, 405, { identifier: 'METHOD_NOT_ALLOWED', message: `Method "${req.method}" not allowed.` }));
    },
  );

  /** Plays the scenario: every step updates the session and sends its webhook; the final one is billed. */
  async function complete(s: Session): Promise<WebhookDelivery[]> {
    const sent: WebhookDelivery[] = [];
    const started = s.scenario !== 'expired';
    if (started) s.startTime = Math.floor(now() / 1000);
    for (const step of SCENARIOS[s.scenario]) {
      s.status = step.overall;
      s.step = step;
      if (started) s.finishTime = Math.floor(now() / 1000);
      if (step.final) {
        const charged = billable(step.overall);
        if (charged && account.credits !== null) account = { ...account, credits: Math.max(0, account.credits - 1) };
        state.record(s.scenario, charged);
      }
      const delivery = await deliver(s, step, started);
      deliveries.push(delivery);
      sent.push(delivery);
    }
    return sent;
  }

  async function deliver(s: Session, step: Step, started: boolean): Promise<WebhookDelivery> {
    const url = (s.token.callbackUrl as string | null) ?? account.webhookUrl;
    const base = { scanRef: s.scanRef, eventType: step.event, url };
    if (!url) return { ...base, status: null, error: 'no webhook URL configured' };
    const body = JSON.stringify(webhookPayload(s, step, started));
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idenfy-Event-Type': step.event, 'Idenfy-Signature': signWebhook(body, signingKey) },
        body,
        // iDenfy gives receivers 10 s to answer 2xx.
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      return { ...base, status: res.status };
    } catch (e) {
      return { ...base, status: null, error: (e as Error).message };
    }
  }

  const outer = express();
  outer.disable('x-powered-by');
  outer.get('/api/v2/redirect', (req, res) => {
    const token = typeof req.query.authToken === 'string' ? req.query.authToken : '';
    const s = byToken.get(token);
    if (!s) return void res.status(404).type('html').send(page('Verification link not valid', '<p>This link does not exist.</p>'));
    expireIfDue(s);
    if (s.status !== 'ACTIVE')
      return void res
        .status(410)
        .type('html')
        .send(page('Verification finished', `<p>Status: ${s.status}</p>`));
    res.type('html').send(page('Verify your identity', hostedForm(s)));
  });
  outer.post('/sim/hosted/:authToken/complete', async (req, res) => {
    const s = byToken.get(req.params.authToken);
    if (!s) return err(res, 404, { identifier: 'TOKEN_NOT_VALID', message: 'Token does not exist.' });
    expireIfDue(s);
    if (s.status !== 'ACTIVE') return err(res, 409, { identifier: 'TOKEN_NOT_VALID', message: 'Token is already used or expired.' });
    const sent = await complete(s);
    if (req.accepts(['html', 'json']) === 'json')
      return void res.json({ scanRef: s.scanRef, scenario: s.scenario, status: s.status, deliveries: sent });
    res.redirect(303, finishUrl(s));
  });
  outer.get('/__sim/idenfy/account', (_req, res) => void res.json(account));
  outer.post('/__sim/idenfy/account', express.json(), (req, res) => {
    const parsed = Account.partial().safeParse(req.body);
    if (!parsed.success) return err(res, 400, { error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    account = { ...account, ...parsed.data };
    res.json(account);
  });
  outer.get('/__sim/idenfy/deliveries', (_req, res) => void res.json(deliveries));
  outer.use(api);
  return { app: outer, state };
}

/** Starts the simulator on 127.0.0.1 (port 0 picks a free one). */
export async function startIdenfySimulator(
  port = 0,
  options: IdenfySimulatorOptions = {},
  host = '127.0.0.1',
): Promise<RunningSimulator & { state: SimulatorState }> {
  const { app, state } = idenfySimulator(options);
  return { ...(await listen(app, port, host)), state };
}

function authorised(header: string | undefined, apiKey: string, apiSecret: string): boolean {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/.exec(header ?? '');
  if (!match?.[1]) return false;
  return Buffer.from(match[1], 'base64').toString('utf8') === `${apiKey}:${apiSecret}`;
}

type ErrorBody = { identifier: string; message: string };

/** The request body as iDenfy reads it: the parse errors of seed 002 (identifiers [I]). */
function readObject(body: unknown): { ok: true; value: Record<string, unknown> } | { ok: false; error: ErrorBody } {
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

function validateToken(body: Record<string, unknown>): ErrorBody | undefined {
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
function businessRule(body: Record<string, unknown>, account: Account): ErrorBody | undefined {
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

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const opaqueToken = (length: number) => [...randomBytes(length)].map((b) => BASE62[b % 62]).join('');
const upper = (v: unknown) => (typeof v === 'string' ? v.toUpperCase() : null);

function createSession(body: Record<string, unknown>, baseUrl: string, at: number): Session {
  const authToken = opaqueToken(40);
  const scanRef = randomUUID();
  const clientId = (body.clientId ?? body.personScanRef) as string;
  const expiryTime = (body.expiryTime as number | undefined) ?? 3600;
  const token: Record<string, unknown> = {
    message: 'Token created successfully',
    authToken,
    scanRef,
    clientId,
    personScanRef: clientId,
    firstName: upper(body.firstName),
    lastName: upper(body.lastName),
    successUrl: body.successUrl ?? DEFAULT_URLS.successUrl,
    errorUrl: body.errorUrl ?? DEFAULT_URLS.errorUrl,
    unverifiedUrl: body.unverifiedUrl ?? DEFAULT_URLS.unverifiedUrl,
    callbackUrl: body.callbackUrl ?? null,
    locale: body.locale ?? 'en',
    country: upper(body.country),
    expiryTime,
    sessionLength: body.sessionLength ?? 600,
    documents: body.documents ?? ['ID_CARD', 'PASSPORT'],
    tokenType: body.tokenType ?? 'IDENTIFICATION',
    externalRef: body.externalRef ?? null,
    dateOfBirth: body.dateOfBirth ?? null,
    showInstructions: true,
    redirectUrl: `${baseUrl}/api/v2/redirect?authToken=${authToken}`,
    ...(body.generateDigitString === true && { digitString: String(randomBytes(4).readUInt32BE() % 100_000_000).padStart(8, '0') }),
  };
  return { scanRef, authToken, scenario: scenarioOf(clientId, body.firstName), token, createdAt: at, expiryTime, status: 'ACTIVE' };
}

function lookup(body: unknown, sessions: Map<string, Session>): { ok: true; session: Session } | { ok: false; error: ErrorBody } {
  const parsed = readObject(body);
  if (!parsed.ok) return parsed;
  const scanRef = parsed.value.scanRef;
  if (typeof scanRef !== 'string' || scanRef.length === 0)
    return { ok: false, error: { identifier: 'MISSING_VALUE', message: "Field 'scanRef' is required." } };
  const session = sessions.get(scanRef);
  if (!session) return { ok: false, error: { identifier: 'TOKEN_NOT_VALID', message: 'Verification with this scanRef does not exist.' } };
  return { ok: true, session };
}

/** What the document "said": the token's prefill, or a fixed Indonesian identity; nothing before the user took part. */
function identityData(s: Session): Record<string, unknown> {
  const read = s.startTime !== undefined;
  const pick = (value: unknown, fallback: string) => (read ? ((value as string | null) ?? fallback) : null);
  return {
    docFirstName: pick(s.token.firstName, 'BUDI'),
    docLastName: pick(s.token.lastName, 'SANTOSO'),
    docNumber: pick(null, 'B1234567'),
    docPersonalCode: pick(null, '3174051701900001'),
    docExpiry: pick(null, '2030-01-17'),
    docDob: pick(s.token.dateOfBirth, '1990-01-17'),
    docDateOfIssue: pick(null, '2020-01-17'),
    docType: pick(null, 'ID_CARD'),
    docSex: pick(null, 'MALE'),
    docNationality: pick(s.token.country, 'ID'),
    docIssuingCountry: pick(s.token.country, 'ID'),
    fullName: read ? `${pick(s.token.firstName, 'BUDI')} ${pick(s.token.lastName, 'SANTOSO')}` : null,
    selectedCountry: pick(s.token.country, 'ID'),
    manuallyDataChanged: false,
  };
}

function webhookPayload(s: Session, step: Step, started: boolean): Record<string, unknown> {
  return {
    final: step.final,
    platform: started ? 'PC' : null,
    status: {
      overall: step.overall,
      fraudTags: step.fraudTags ?? [],
      mismatchTags: step.mismatchTags ?? [],
      autoFace: step.autoFace,
      manualFace: step.manualFace ?? null,
      autoDocument: step.autoDocument,
      manualDocument: step.manualDocument ?? null,
      additionalSteps: null,
    },
    data: identityData(s),
    fileUrls: {},
    scanRef: s.scanRef,
    externalRef: s.token.externalRef,
    clientId: s.token.clientId,
    companyId: 'sim-company',
    beneficiaryId: 'sim-beneficiary',
    startTime: s.startTime ?? null,
    finishTime: s.finishTime ?? null,
    clientIp: started ? '127.0.0.1' : null,
    clientIpCountry: started ? 'ID' : null,
    clientLocation: started ? 'Jakarta' : null,
  };
}

function finishUrl(s: Session): string {
  const key = s.status === 'APPROVED' ? 'successUrl' : s.status === 'SUSPECTED' || s.status === 'REVIEWING' ? 'unverifiedUrl' : 'errorUrl';
  return s.token[key] as string;
}

const escapeHtml = (v: string) => v.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
const hostedForm = (s: Session) =>
  `<p>iDenfy simulator, scenario <strong>${escapeHtml(s.scenario)}</strong>, session ${escapeHtml(s.scanRef)}.</p>` +
  `<form method="post" action="/sim/hosted/${encodeURIComponent(s.authToken)}/complete"><button type="submit">Complete</button></form>`;
