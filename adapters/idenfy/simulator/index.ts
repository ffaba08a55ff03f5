/**
 * A local iDenfy (reference/providers.md section 1, seed 002): Basic auth, the v2 token endpoint with
 * iDenfy's parse, field and business errors, /api/v2/status and /api/v2/data, a hosted page, and signed
 * webhooks. Facts marked [I] in providers.md are the simulator's choices, repeated here where used.
 *
 * Scenarios are chosen by the suffix of the token's `clientId`, else of its `firstName` (any case);
 * no suffix means `-approved`. Completing the hosted session plays the scenario's webhooks in order:
 * Webhooks go to the token's callbackUrl, else the dashboard's webhookUrl, else the gateway's receiver
 * (`<gatewayUrl>/v1/webhooks/idenfy`, which `npm start` passes).
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
 * deliveries when the request accepts application/json), POST /__sim/idenfy/sessions/:scanRef/complete
 * (the same, by scanRef), GET|POST /__sim/idenfy/account (credits, partnerActive, rateLimitPerHour,
 * customCallbackUrl, webhookUrl) and GET /__sim/idenfy/deliveries. GET /kyc/identifications/?clientId=
 * lists a client's sessions as iDenfy does (ID-OAS).
 * These sit outside the fault knobs: they are the browser's and the operator's side, not the API's.
 *
 * Billing (providers.md 1.7 model [I]): a token checks the balance (402 at zero credits or with the
 * quotaExhausted fault) and is recorded as an uncharged `token` call; the debit happens when a session
 * reaches a billable final state (APPROVED on pay_per_approved; APPROVED, DENIED or SUSPECTED on
 * pay_per_completed), recorded under the scenario's name. Expired and cancelled sessions are free.
 */
import express, { type Express, type Request, type Response } from 'express';
import { listen, simulatorApp, SimulatorState, type RunningSimulator, type SimulatorContext } from '../../simulator-kit';
import { IDENFY_PATHS } from '../client';
import type { IdenfyOverallStatus } from '../schemas';
import { deliver, finishUrl, hostedForm, page, type WebhookDelivery } from './hosted-page';
import { createSession, identityData, notCompleted, SCENARIOS, type Session } from './scenarios';
import { Account, authorised, businessRule, lookup, MESSAGES, readObject, validateToken } from './validation';

export type { WebhookDelivery } from './hosted-page';

/** The Basic-auth pair the simulator accepts unless told otherwise: sandbox values, not secrets. */
export const IDENFY_SANDBOX_CREDENTIALS = { apiKey: 'sim-idenfy-key', apiSecret: 'sim-idenfy-secret' } as const;

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
  /** The dashboard's webhook URL, used when a token has no callbackUrl (default: the gateway's receiver, when known). */
  webhookUrl?: string;
  /** The gateway the simulator stands beside: without a dashboard URL, webhooks go to its `/v1/webhooks/idenfy`. */
  gatewayUrl?: () => string | undefined;
  /** Verification credits; null is unlimited (default null). */
  credits?: number | null;
  /** Clock in ms since the epoch, for expiry (default Date.now). */
  now?: () => number;
}

const err = (res: Response, status: number, body: Record<string, unknown>) => void res.status(status).json(body);

export function idenfySimulator(options: IdenfySimulatorOptions = {}): { app: Express; state: SimulatorState } {
  const state = new SimulatorState();
  const apiKey = options.apiKey ?? IDENFY_SANDBOX_CREDENTIALS.apiKey;
  const apiSecret = options.apiSecret ?? IDENFY_SANDBOX_CREDENTIALS.apiSecret;
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

  /** The gateway's own receiver, as `npm start` configures it: the walk-through's session completes end to end. */
  const gatewayReceiver = () => {
    const base = options.gatewayUrl?.();
    return base ? `${base.replace(/\/+$/, '')}/v1/webhooks/idenfy` : null;
  };

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

      // One page of a client's sessions, newest first (ID-OAS: count/next/previous/results).
      app.get(IDENFY_PATHS.identifications, (req, res) => {
        const clientId = typeof req.query.clientId === 'string' ? req.query.clientId : '';
        const perPage = Math.min(Math.max(Number(req.query.perPage) || 10, 1), 100);
        const page = Math.max(Number(req.query.page) || 1, 1);
        const all = [...sessions.values()].filter((s) => s.token.clientId === clientId).map(expireIfDue);
        all.sort((a, b) => b.createdAt - a.createdAt);
        const shown = all.slice((page - 1) * perPage, page * perPage);
        res.json({
          count: all.length,
          next:
            page * perPage < all.length ? `${publicUrl(req)}${IDENFY_PATHS.identifications}?clientId=${clientId}&page=${page + 1}` : null,
          previous: page > 1 ? `${publicUrl(req)}${IDENFY_PATHS.identifications}?clientId=${clientId}&page=${page - 1}` : null,
          results: shown.map((s) => ({ scanRef: s.scanRef, status: s.status, suspected: s.status === 'SUSPECTED' })),
        });
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
      const delivery = await deliver(s, step, started, account.webhookUrl ?? gatewayReceiver(), signingKey);
      deliveries.push(delivery);
      sent.push(delivery);
    }
    return sent;
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
  /** The person finishes the session: its scenario's webhooks are played; undefined when it cannot be (already answered). */
  const finish = async (s: Session | undefined, res: Response) => {
    if (!s) return void err(res, 404, { identifier: 'TOKEN_NOT_VALID', message: 'Token does not exist.' });
    expireIfDue(s);
    if (s.status !== 'ACTIVE') return void err(res, 409, { identifier: 'TOKEN_NOT_VALID', message: 'Token is already used or expired.' });
    return { scanRef: s.scanRef, scenario: s.scenario, deliveries: await complete(s), status: s.status, session: s };
  };
  outer.post('/sim/hosted/:authToken/complete', async (req, res) => {
    const done = await finish(byToken.get(req.params.authToken), res);
    if (!done) return;
    const { session, ...reply } = done;
    if (req.accepts(['html', 'json']) === 'json') return void res.json(reply);
    res.redirect(303, finishUrl(session));
  });
  // The operator's side: a session finished by its scanRef, for a token whose answer never reached the gateway.
  outer.post('/__sim/idenfy/sessions/:scanRef/complete', async (req, res) => {
    const done = await finish(sessions.get(req.params.scanRef), res);
    if (!done) return;
    const { session: _session, ...reply } = done;
    res.json(reply);
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
  context: SimulatorContext = {},
): Promise<RunningSimulator & { state: SimulatorState }> {
  const { app, state } = idenfySimulator({ gatewayUrl: context.gatewayUrl, ...options });
  return { ...(await listen(app, port, host)), state };
}
