import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nock from 'nock';
import { createToken, fetchData, fetchStatus, idenfy, listUnknownSessions } from '../../../adapters/idenfy';
import type { CallContext, UpstreamFacts } from '../../../adapters/types';
import { loadErrorMap, type ErrorMap } from '../../../src/gateway/error-map';
import { isAppError } from '../../../src/errors/app-error';

const BASE = 'https://ivs.idenfy.com';
const ctx: CallContext = { baseUrl: BASE, credentials: { apiKey: 'key-1', apiSecret: 'secret-1' }, timeoutMs: 2000 };
const BASIC = `Basic ${Buffer.from('key-1:secret-1').toString('base64')}`;
const NOW = new Date('2025-01-01T00:00:00.000Z');
const SCAN_REF = 'ec6a7108-8c26-11e9-9758-309c231b1bac';
const TOKEN_ANSWER = {
  message: 'Token created successfully',
  authToken: 'Ab3dEf6hIj9kLm2nOp5qRs8tUv',
  scanRef: SCAN_REF,
  clientId: 'cust-1',
  redirectUrl: `${BASE}/api/v2/redirect?authToken=Ab3dEf6hIj9kLm2nOp5qRs8tUv`,
  tokenType: 'IDENTIFICATION',
  expiryTime: 3600,
  sessionLength: 600,
  documents: ['ID_CARD'],
};

let map: ErrorMap;
const suiteCode = (operation: string, facts: UpstreamFacts) => map.classify('idenfy', operation, facts).row.suiteCode;

beforeAll(() => {
  // Only this vendor's table: other vendors' files may be mid-edit.
  const dir = mkdtempSync(path.join(tmpdir(), 'idenfy-map-'));
  copyFileSync(path.join(__dirname, '..', '..', '..', 'config', 'error-map', 'idenfy.json'), path.join(dir, 'idenfy.json'));
  map = loadErrorMap(dir);
});

afterEach(() => {
  nock.abortPendingRequests();
  nock.cleanAll();
});

const token = () => nock(BASE).post('/api/v2/token');

describe('iDenfy declaration', () => {
  it('when the declaration is read, then it names its four calls, the inbound webhook and the Basic-auth credentials', () => {
    expect(idenfy.id).toBe('idenfy');
    expect(idenfy.credentials).toEqual(['apiKey', 'apiSecret']);
    expect(idenfy.operations.token?.serves).toBe('hosted_session');
    expect(Object.keys(idenfy.operations).sort()).toEqual(['data', 'identifications', 'status', 'token', 'webhook']);
    // A token whose answer was lost is settled later from the client's sessions (the reconciliation job).
    expect(idenfy.operations.token?.settledBy).toMatchObject({ operation: 'identifications', rows: 'webhook' });
  });
});

describe('iDenfy token', () => {
  it('when iDenfy answers 201, then the session comes back with its scanRef as the request id and Basic auth was sent', async () => {
    const scope = nock(BASE, { reqheaders: { authorization: BASIC, 'content-type': /application\/json/ } })
      .post('/api/v2/token', {
        clientId: 'cust-1',
        country: 'ID',
        documents: ['ID_CARD'],
        expiryTime: 3600,
        sessionLength: 600,
        locale: 'id',
      })
      .reply(201, TOKEN_ANSWER);
    const out = await createToken(
      ctx,
      { clientId: 'cust-1', country: 'id', documents: ['ID_CARD'], expirySeconds: 3600, sessionSeconds: 600, locale: 'id' },
      NOW,
    );
    expect(scope.isDone()).toBe(true);
    expect(out.facts).toEqual({ httpStatus: 201, requestId: SCAN_REF });
    expect(out.data).toEqual({
      scanRef: SCAN_REF,
      authToken: TOKEN_ANSWER.authToken,
      redirectUrl: TOKEN_ANSWER.redirectUrl,
      tokenType: 'IDENTIFICATION',
      expiresAt: '2025-01-01T01:00:00.000Z',
      sessionLengthSeconds: 600,
    });
    expect(suiteCode('token', out.facts)).toBe('session_created');
  });

  it('when iDenfy answers 200 (legacy), then it is the same success', async () => {
    token().reply(200, TOKEN_ANSWER);
    const out = await createToken(ctx, { clientId: 'cust-1' }, NOW);
    expect(out.facts).toEqual({ httpStatus: 200, requestId: SCAN_REF });
    expect(suiteCode('token', out.facts)).toBe('session_created');
  });

  it('when redirectUrl is null, then the documented redirect endpoint is used instead', async () => {
    token().reply(201, { ...TOKEN_ANSWER, redirectUrl: null });
    const out = await createToken(ctx, { clientId: 'cust-1' }, NOW);
    expect(out.data?.redirectUrl).toBe(`${BASE}/api/v2/redirect?authToken=${TOKEN_ANSWER.authToken}`);
  });

  it.each([
    [400, { identifier: 'BAD_VALUE', message: "Field 'country' must be a valid ISO 3166-1 alpha-2 code." }, 'invalid_request'],
    [400, { identifier: 'MISSING_VALUE', message: "Field 'clientId' is required." }, 'invalid_request'],
    [401, { message: 'Invalid authorization credentials' }, 'provider_auth_failed'],
    [402, { message: 'Action not allowed due to lack of funds or exceeded limit.' }, 'provider_quota_exhausted'],
    [403, { message: 'Partner inactive' }, 'provider_account_disabled'],
    [403, { message: 'This endpoint is not available for TEST partners.' }, 'provider_auth_failed'],
    [429, { identifier: 'TOO_MANY_REQUESTS', message: 'Too many requests.' }, 'provider_rate_limited'],
    [500, { identifier: 'INTERNAL_ERROR', message: 'Internal error.' }, 'provider_unavailable'],
  ])(
    'when iDenfy answers %i %j, then the facts carry status, identifier and message and the table says %s',
    async (status, body, expected) => {
      token().reply(status, body);
      const out = await createToken(ctx, { clientId: 'cust-1' }, NOW);
      const identifier = 'identifier' in body ? { code: body.identifier } : {};
      expect(out.facts).toEqual({ httpStatus: status, message: body.message, ...identifier });
      expect(out.data).toBeUndefined();
      expect(suiteCode('token', out.facts)).toBe(expected);
    },
  );

  it('when the 401 has no identifier, then no code is invented', async () => {
    token().reply(401, { message: 'Invalid authorization credentials' });
    const out = await createToken(ctx, { clientId: 'cust-1' }, NOW);
    expect(out.facts).not.toHaveProperty('code');
    expect(map.classify('idenfy', 'token', out.facts).row.accountHealth).toBe('credentials_rejected');
  });

  it('when the error is the PARTNER_ERROR shape with extra keys, then it is still read', async () => {
    token().reply(400, {
      message: 'Token has not expired yet.',
      identifier: 'PARTNER_ERROR',
      documentation: 'https://documentation.idenfy.com',
      severity: 'NOT_SEVERE',
    });
    const out = await createToken(ctx, { clientId: 'cust-1' }, NOW);
    expect(out.facts).toEqual({ httpStatus: 400, code: 'PARTNER_ERROR', message: 'Token has not expired yet.' });
  });

  it('when a proxy answers 502 with an HTML page, then the status alone is the fact and the breaker counts it', async () => {
    token().reply(502, '<html>Bad Gateway</html>', { 'Content-Type': 'text/html' });
    const out = await createToken(ctx, { clientId: 'cust-1' }, NOW);
    expect(out.facts).toEqual({ httpStatus: 502 });
    expect(map.classify('idenfy', 'token', out.facts).row).toMatchObject({ suiteCode: 'provider_unavailable', breaker: true });
  });

  it('when a 201 body is not JSON, then it becomes malformed_body without throwing', async () => {
    token().reply(201, '{"authToken": "abc', { 'Content-Type': 'application/json' });
    const out = await createToken(ctx, { clientId: 'cust-1' }, NOW);
    // One reading for every vendor (adapters/http.ts readAnswer): a success status with a bad body keeps its status.
    expect(out.facts).toEqual({ httpStatus: 201, transport: 'malformed_body' });
    expect(map.classify('idenfy', 'token', out.facts).row).toMatchObject({
      suiteCode: 'upstream_unmapped',
      charged: 'unknown',
      breaker: true,
    });
  });

  it('when a 201 body lacks authToken, then it becomes schema_invalid, not a created session', async () => {
    const { authToken: _dropped, ...rest } = TOKEN_ANSWER;
    token().reply(201, rest);
    const out = await createToken(ctx, { clientId: 'cust-1' }, NOW);
    expect(out.facts).toEqual({ httpStatus: 201, transport: 'schema_invalid' });
    expect(suiteCode('token', out.facts)).toBe('upstream_unmapped');
  });

  it('when iDenfy does not answer in time, then the fact is a timeout with unknown charge', async () => {
    token().delay(300).reply(201, TOKEN_ANSWER);
    const out = await createToken({ ...ctx, timeoutMs: 50 }, { clientId: 'cust-1' }, NOW);
    expect(out.facts).toEqual({ transport: 'timeout' });
    expect(map.classify('idenfy', 'token', out.facts).row).toMatchObject({
      suiteCode: 'provider_timeout',
      charged: 'unknown',
      breaker: true,
    });
  });

  it.each([
    ['ECONNREFUSED', 'connection_refused', 'free'],
    ['ECONNRESET', 'connection_reset', 'unknown'],
  ])('when the socket fails with %s, then the fact is %s and the charge %s', async (code, transport, charged) => {
    token().replyWithError(Object.assign(new Error(code), { code }));
    const out = await createToken(ctx, { clientId: 'cust-1' }, NOW);
    expect(out.facts).toEqual({ transport });
    expect(map.classify('idenfy', 'token', out.facts).row.charged).toBe(charged);
  });

  it('when the input breaks a documented limit, then invalid_request is thrown and nothing is sent', async () => {
    const scope = token().reply(201, TOKEN_ANSWER);
    const error = await createToken(ctx, { clientId: 'cust-1', expirySeconds: 2_592_001 }, NOW).catch((e: unknown) => e);
    expect(isAppError(error) && error.code).toBe('invalid_request');
    expect(isAppError(error) && error.options.param).toBe('expirySeconds');
    expect(scope.isDone()).toBe(false);
  });

  it('when a callback URL is not HTTPS, then it is refused before sending', async () => {
    const error = await createToken(ctx, { clientId: 'cust-1', callbackUrl: 'http://example.com/hook' }, NOW).catch((e: unknown) => e);
    expect(isAppError(error) && error.options.param).toBe('callbackUrl');
  });

  it('when credentials are missing, then provider_not_configured is thrown', async () => {
    const error = await createToken({ ...ctx, credentials: { apiKey: 'key-1' } }, { clientId: 'cust-1' }, NOW).catch((e: unknown) => e);
    expect(isAppError(error) && error.code).toBe('provider_not_configured');
  });
});

describe('iDenfy status and data', () => {
  const STATUS = {
    status: 'APPROVED',
    final: true,
    autoDocument: 'DOC_VALIDATED',
    autoFace: 'FACE_MATCH',
    manualDocument: null,
    manualFace: null,
    fraudTags: [],
    mismatchTags: [],
    scanRef: SCAN_REF,
    clientId: 'cust-1',
  };

  it('when the status is APPROVED, then the fetch is a free call and its verdict reads as the webhook would', async () => {
    const scope = nock(BASE, { reqheaders: { authorization: BASIC } })
      .post('/api/v2/status', { scanRef: SCAN_REF })
      .reply(200, STATUS);
    const out = await fetchStatus(ctx, SCAN_REF);
    expect(scope.isDone()).toBe(true);
    expect(out.facts).toEqual({ httpStatus: 200, result: 'APPROVED', requestId: SCAN_REF });
    expect(out.data).toMatchObject({ overall: 'APPROVED', face: 'FACE_MATCH', document: 'DOC_VALIDATED' });
    expect(suiteCode('status', out.facts)).toBe('request_completed');
    expect(suiteCode('webhook', { result: out.facts.result })).toBe('session_approved');
  });

  it('when a verdict is not final yet, then the result fact is REVIEWING so nothing is booked early', async () => {
    nock(BASE)
      .post('/api/v2/status')
      .reply(200, { ...STATUS, final: false });
    const out = await fetchStatus(ctx, SCAN_REF);
    expect(out.facts.result).toBe('REVIEWING');
    expect(map.classify('idenfy', 'status', out.facts).row.charged).toBe('free');
  });

  it('when the manual verdict exists, then it wins over the automatic one', async () => {
    nock(BASE)
      .post('/api/v2/status')
      .reply(200, { ...STATUS, status: 'DENIED', autoFace: 'FACE_UNCERTAIN', manualFace: 'FACE_MISMATCH' });
    const out = await fetchStatus(ctx, SCAN_REF);
    expect(out.data?.face).toBe('FACE_MISMATCH');
  });

  it('when the status is not one iDenfy documents, then it is schema_invalid', async () => {
    nock(BASE)
      .post('/api/v2/status')
      .reply(200, { ...STATUS, status: 'MAYBE' });
    expect((await fetchStatus(ctx, SCAN_REF)).facts).toEqual({ httpStatus: 200, transport: 'schema_invalid' });
  });

  it('when the scanRef is unknown, then TOKEN_NOT_VALID maps to provider_session_unavailable', async () => {
    nock(BASE).post('/api/v2/status').reply(400, { identifier: 'TOKEN_NOT_VALID', message: 'Token does not exist.' });
    const out = await fetchStatus(ctx, SCAN_REF);
    expect(suiteCode('status', out.facts)).toBe('provider_session_unavailable');
  });

  it('when data is fetched, then the extracted document fields come back normalised', async () => {
    nock(BASE, { reqheaders: { authorization: BASIC } })
      .post('/api/v2/data', { scanRef: SCAN_REF })
      .reply(200, {
        docFirstName: 'BUDI',
        docLastName: 'SANTOSO',
        docNumber: 'B1234567',
        docDob: '1990-01-17',
        docType: 'ID_CARD',
        docSex: 'MALE',
        docNationality: 'ID',
        scanRef: SCAN_REF,
        extraVendorKey: 1,
      });
    const out = await fetchData(ctx, SCAN_REF);
    expect(out.facts).toEqual({ httpStatus: 200, requestId: SCAN_REF });
    expect(out.data).toMatchObject({
      firstName: 'BUDI',
      lastName: 'SANTOSO',
      documentNumber: 'B1234567',
      dateOfBirth: '1990-01-17',
      sex: 'MALE',
      personalCode: null,
    });
    expect(suiteCode('data', out.facts)).toBe('request_completed');
  });

  it('when data is not JSON, then it becomes malformed_body', async () => {
    nock(BASE).post('/api/v2/data').reply(200, 'oops');
    expect((await fetchData(ctx, SCAN_REF)).facts).toEqual({ httpStatus: 200, transport: 'malformed_body' });
  });
});

describe('GET /kyc/identifications/ (reconciling a lost token call)', () => {
  const page = (results: Array<{ scanRef: string; status: string }>, extra: Record<string, unknown> = {}) =>
    nock(BASE, { reqheaders: { authorization: BASIC } })
      .get('/kyc/identifications/')
      .query({ clientId: 'cus_1', page: '1', perPage: '100' })
      .reply(200, { count: results.length, next: null, previous: null, results, ...extra });
  const input = { clientId: 'cus_1', knownScanRefs: ['known-1'] };

  it('when the client has one session the gateway does not know, then its status is the verdict and its scanRef the one opened', async () => {
    const scope = page([
      { scanRef: 'known-1', status: 'DENIED' },
      { scanRef: 'lost-1', status: 'APPROVED' },
    ]);
    const outcome = await listUnknownSessions(ctx, input);
    expect(scope.isDone()).toBe(true);
    expect(outcome.facts).toEqual({ httpStatus: 200, result: 'APPROVED' });
    expect(outcome.data).toEqual({ opened: 'lost-1', unknownCount: 1, partial: false });
    expect(map.classify('idenfy', 'identifications', outcome.facts).row.charged).toBe('free');
  });

  it.each([
    [[{ scanRef: 'known-1', status: 'APPROVED' }], {}, 'NO_SESSION'],
    [
      [
        { scanRef: 'a', status: 'APPROVED' },
        { scanRef: 'b', status: 'EXPIRED' },
      ],
      {},
      'SEVERAL_SESSIONS',
    ],
    [[{ scanRef: 'a', status: 'APPROVED' }], { count: 150, next: `${BASE}/kyc/identifications/?page=2` }, 'SEVERAL_SESSIONS'],
  ])('when the page holds %j (%j), then the verdict is %s and no session is attributed', async (results, extra, result) => {
    page(results, extra);
    const outcome = await listUnknownSessions(ctx, input);
    expect(outcome.facts.result).toBe(result);
    expect(outcome.data?.opened).toBeNull();
  });

  it("when the verdict is read as the lost token's charge, then no session is free and several stay unknown", () => {
    expect(map.classify('idenfy', 'webhook', { result: 'NO_SESSION' }).row).toMatchObject({
      suiteCode: 'session_not_opened',
      charged: 'free',
    });
    expect(map.classify('idenfy', 'webhook', { result: 'SEVERAL_SESSIONS' }).row.charged).toBe('unknown');
  });
});
