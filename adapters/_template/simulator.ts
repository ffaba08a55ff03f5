import type { Response } from 'express';
import { listen, parseJsonBody, simulatorApp, SimulatorState, type SimulatorStarter } from '../simulator-kit';
import { EXAMPLE_PATHS } from './client';
import { ExampleCheckRequest } from './schemas';

/**
 * TEMPLATE. A local stand-in for the vendor behind sandbox keys, as faithful to its documentation as the
 * adapter is: its auth, validation, answers and error bodies, and what it would bill (`/__sim/billing`).
 * The shared kit adds the fault knobs (latency, 5xx, hang after receive, malformed body). Scenarios are
 * picked by a magic input, documented here: NIK ending 00 MATCH, 01 NO_MATCH, 02 NOT_FOUND, 09 the
 * vendor's source down (503); anything else MATCH. Verdicts are billed, the rest is free.
 */
export const EXAMPLE_SANDBOX_CREDENTIALS = { apiKey: 'example-sandbox-key' };

const VERDICTS: Record<string, 'MATCH' | 'NO_MATCH' | 'NOT_FOUND'> = { '00': 'MATCH', '01': 'NO_MATCH', '02': 'NOT_FOUND' };

export const startExampleSimulator: SimulatorStarter = async (port, credentials, host) => {
  const state = new SimulatorState();
  const fail = (res: Response, status: number, code: string, scenario: string) => {
    state.record(scenario, false);
    res.status(status).json({ error: { code, message: code.toLowerCase().replace(/_/g, ' ') } });
  };
  const app = simulatorApp(
    'example',
    state,
    {
      serverError: (res) => void res.status(500).json({ error: { code: 'INTERNAL', message: 'internal error' } }),
      malformed: (res) => void res.status(200).type('application/json').send('{"verdict":"MA'),
    },
    (app) => {
      app.post(EXAMPLE_PATHS.check, (req, res) => {
        if (req.get('x-api-key') !== credentials.apiKey) return fail(res, 401, 'UNAUTHORIZED', 'unauthorized');
        const json = parseJsonBody(req.body);
        const body = json.ok ? ExampleCheckRequest.safeParse(json.value) : undefined;
        if (!body?.success) return fail(res, 400, 'INVALID_REQUEST', 'invalid_request');
        const suffix = body.data.nik.slice(-2);
        if (suffix === '09') return fail(res, 503, 'SOURCE_DOWN', 'source_down');
        const verdict = VERDICTS[suffix] ?? 'MATCH';
        state.record(verdict, verdict !== 'NOT_FOUND');
        res.json({ verdict, reference: `ex-${Date.now()}` });
      });
    },
  );
  return { ...(await listen(app, port, host)), state };
};
