/**
 * A fuzzer for the running API: random mutations of each route's valid request (bench/fuzz/seeds.ts) in
 * its body, headers and framing, sent over real sockets, every answer checked against the suite's model.
 * A finding is an answer with status 5xx, an error body outside the error model (or a 2xx that is not the
 * JSON or CSV the route declares), or a connection the server dropped without answering. Seeded: the same
 * seed replays the same requests.
 */
import http from 'node:http';
import net from 'node:net';
import { z } from 'zod';
import { Rng } from '../chaos/rng';
import { SEEDS, type Ids, type Seed } from './seeds';

export interface FuzzTarget extends Ids {
  url: string;
  key: string;
  operatorKey: string;
}

export interface Finding {
  kind: '5xx' | 'outside_model' | 'no_answer';
  request: string;
  status?: number;
  detail: string;
  /** The start of the body sent, to reproduce it. */
  sent?: string;
}

export interface FuzzReport {
  requests: number;
  /** Of which raw framing mutations sent over a bare socket. */
  framing: number;
  byStatus: Record<string, number>;
  byCode: Record<string, number>;
  findings: Finding[];
  ms: number;
}

const ErrorModel = z
  .object({
    error: z
      .object({
        code: z.string().regex(/^[a-z][a-z0-9_]*$/),
        message: z.string().min(1),
        type: z.string(),
        status: z.number().int(),
        retryable: z.boolean(),
        charged: z.enum(['charged', 'free', 'unknown']).nullable(),
        provider: z.string().nullable(),
        upstream: z.unknown(),
        param: z.string().nullable(),
        requestId: z.string().min(1),
      })
      .loose(),
  })
  .strict();

// ------------------------------------------------------------------------------------------------
// Value mutations
// ------------------------------------------------------------------------------------------------

const deep = (levels: number, inner: unknown = 1): unknown => {
  let v = inner;
  for (let i = 0; i < levels; i++) v = i % 2 ? { a: v } : [v];
  return v;
};

const NASTY_STRINGS = [
  '',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800',
  '😀'.repeat(50),
  'Ω≈ç√∫˜µ≤≥÷',
  '\u202e\u0041\u0042',
  '../../../../etc/passwd',
  '%00%ZZ',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  '__proto__',
  'constructor',
  'cus_' + 'x'.repeat(300),
  '0x1F',
  '1e309',
  'NaN',
  'null',
  '=cmd|/c calc',
  'https://169.254.169.254/latest/meta-data/',
  'http://127.0.0.1:22/',
  'data:video/mp4;base64,!!!!',
  '====',
  'A'.repeat(3),
  '!@#$%^&*()',
];

const NASTY_NUMBERS = [0, -0, -1, 1e308, -1e308, 2 ** 53 + 1, 0.1 + 0.2, 1e-320, 4294967297, -2147483649, 3.14];

function randomValue(rng: Rng): unknown {
  switch (rng.int(0, 12)) {
    case 0:
      return rng.pick(NASTY_STRINGS);
    case 1:
      return rng.pick(NASTY_NUMBERS);
    case 2:
      return null;
    case 3:
      return rng.next() < 0.5;
    case 4:
      return [];
    case 5:
      return {};
    case 6:
      return 'x'.repeat(rng.pick([1000, 65_536, 300_000]));
    case 7:
      return deep(rng.pick([10, 40, 200, 1_000]));
    case 8:
      return { __proto__: { admin: true }, constructor: { prototype: { polluted: true } } };
    case 9:
      return Array.from({ length: rng.pick([2, 100, 10_000]) }, (_, i) => i);
    case 10:
      return Buffer.from(rng.pick(['not an image', '\xff\xd8\xff\xe0 jpeg-ish', ''])).toString('base64') + rng.pick(['', '=', '===', '*']);
    case 11:
      return String.fromCharCode(...Array.from({ length: rng.int(1, 40) }, () => rng.int(0, 0xffff)));
    default:
      return rng.pick(NASTY_STRINGS) + rng.pick(NASTY_STRINGS);
  }
}

/** Every (container, key) in a JSON value, for picking one to mutate. */
function slots(value: unknown): Array<[Record<string, unknown> | unknown[], string | number]> {
  const out: Array<[Record<string, unknown> | unknown[], string | number]> = [];
  const stack = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) v.forEach((child, i) => (out.push([v, i]), stack.push(child)));
    else if (v && typeof v === 'object')
      for (const [k, child] of Object.entries(v)) (out.push([v as Record<string, unknown>, k]), stack.push(child));
  }
  return out;
}

type BodyMutation = (rng: Rng, body: unknown) => { text: string } | { value: unknown };

const BODY_MUTATIONS: Record<string, BodyMutation> = {
  valid: (_rng, body) => ({ value: body }),
  replaceField: (rng, body) => {
    const all = slots(body);
    if (all.length === 0) return { value: randomValue(rng) };
    const [container, key] = rng.pick(all);
    (container as Record<string, unknown>)[key as string] = randomValue(rng);
    return { value: body };
  },
  dropField: (rng, body) => {
    const all = slots(body).filter(([c]) => !Array.isArray(c));
    if (all.length > 0) {
      const [container, key] = rng.pick(all);
      delete (container as Record<string, unknown>)[key as string];
    }
    return { value: body };
  },
  addKey: (rng, body) => {
    const target = rng.pick(
      [body, ...slots(body).map(([c]) => c)].filter((v) => v && typeof v === 'object' && !Array.isArray(v)) as object[],
    );
    const text = JSON.stringify(body ?? {});
    if (!target) return { text };
    const key = rng.pick(['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', '\u0000', 'x'.repeat(10_000)]);
    // Written into the text: an object literal would make `__proto__` the prototype instead of a key.
    return { text: text.replace(/^\{/, `{${JSON.stringify(key)}:${JSON.stringify(randomValue(rng))}${text === '{}' ? '' : ','}`) };
  },
  wholeBody: (rng) => ({ value: randomValue(rng) }),
  deepNesting: (rng) => {
    const n = rng.pick([33, 100, 20_000, 200_000]);
    return { text: rng.next() < 0.5 ? `${'['.repeat(n)}${']'.repeat(n)}` : `${'{"a":'.repeat(n)}1${'}'.repeat(n)}` };
  },
  duplicateKeys: (_rng, body) => {
    const text = JSON.stringify(body ?? {});
    const first = /^\{"([^"]+)":/.exec(text);
    return { text: first ? text.replace(/^\{/, `{"${first[1]}":{"dup":true},`) : text };
  },
  rawText: (rng, body) => {
    const text = JSON.stringify(body ?? {});
    return {
      text: rng.pick([
        text.slice(0, rng.int(0, text.length)),
        `${text},`,
        text.replace(/:/, '::'),
        text.replace(/"/, "'"),
        `\ufeff${text}`,
        `${text}\u0000`,
        '1e99999',
        '-',
        'nul',
        '"\\ud800"',
        '"\\u0000"',
        '{"a":1}{"b":2}',
        text.replace(/\d/, '9'.repeat(400)),
      ]),
    };
  },
};

// ------------------------------------------------------------------------------------------------
// Requests
// ------------------------------------------------------------------------------------------------

interface Planned {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  label: string;
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  'application/vnd.api+json',
  'application/json, text/plain',
  '',
];

function plan(rng: Rng, seed: Seed, target: FuzzTarget): Planned {
  let path = seed.path(target);
  // Operator routes: half with the tenant key (always refused), half with the operator key on the in-house
  // engine, whose drain only removes a fallback, so the other seeds' verifications still answer.
  const asOperator = seed.route.startsWith('/v1/ops/') && rng.next() < 0.5;
  if (asOperator) path = path.replace('/accuauth/', '/inhouse/');
  const query = new URLSearchParams(seed.query ?? {});
  if (rng.next() < 0.15)
    query.set(
      rng.pick(['limit', 'from', 'to', 'format', 'status', 'customerId', 'startingAfter', '__proto__', 'x']),
      String(randomValue(rng)).slice(0, 2000),
    );
  if (rng.next() < 0.05) path += rng.pick(['%ZZ', '/%00', '/..%2f..', `/${'a'.repeat(5000)}`, '%F0%9F%98', '//x']);
  const qs = query.toString();
  const headers: Record<string, string> = { authorization: `Bearer ${asOperator ? target.operatorKey : target.key}` };
  const label: string[] = [seed.method, seed.route, asOperator ? '(operator)' : '(tenant)'];
  let body: Buffer | undefined;
  if (seed.body) {
    const name = rng.pick(Object.keys(BODY_MUTATIONS));
    label.push(name);
    const mutated = BODY_MUTATIONS[name]!(rng, seed.body(target));
    let text: string;
    if ('text' in mutated) text = mutated.text;
    else {
      try {
        text = JSON.stringify(mutated.value) ?? 'null';
      } catch {
        text = '[]';
      }
    }
    body = Buffer.from(text, 'utf8');
    if (rng.next() < 0.05)
      body = Buffer.concat([
        body.subarray(0, Math.floor(body.length / 2)),
        Buffer.from([0xc3, 0x28, 0xff]),
        body.subarray(Math.floor(body.length / 2)),
      ]);
    headers['content-type'] = rng.next() < 0.85 ? 'application/json' : rng.pick(CONTENT_TYPES);
    if (headers['content-type'] === '') delete headers['content-type'];
    if (rng.next() < 0.6)
      headers['idempotency-key'] = rng.next() < 0.9 ? `fz-${rng.int(0, 50)}` : rng.pick(['', ' ', 'k'.repeat(300), 'é', 'a\tb']);
  } else if (rng.next() < 0.1) {
    body = Buffer.from(JSON.stringify(randomValue(rng)) ?? 'null');
    headers['content-type'] = 'application/json';
  }
  const roll = rng.next();
  if (roll < 0.05) delete headers.authorization;
  else if (roll < 0.1)
    headers.authorization = rng.pick([
      'Bearer',
      'Bearer vk_test_x',
      `Basic ${target.key}`,
      `Bearer ${target.key} extra`,
      `Bearer ${'v'.repeat(8000)}`,
      'bearer  ' + target.key,
    ]);
  if (rng.next() < 0.05) headers['x-request-id'] = rng.pick(['', '../x', 'r'.repeat(500), 'ok-id']);
  if (body && rng.next() < 0.03) headers['content-encoding'] = rng.pick(['gzip', 'deflate', 'br', 'identity', 'x-unknown']);
  if (body && rng.next() < 0.03) headers.expect = '100-continue';
  const method = rng.next() < 0.03 ? rng.pick(['PATCH', 'PUT', 'OPTIONS', 'TRACE', 'DELETE', 'HEAD']) : seed.method;
  const target_ = qs ? `${path}?${qs}` : path;
  return { method, path: target_, headers, body, label: `${label.join(' ')} ${target_.slice(0, 200)}` };
}

/** Raw bytes an HTTP parser must refuse, or a Content-Length far above the body. */
function framing(rng: Rng, target: FuzzTarget): { bytes: Buffer; label: string } {
  const host = new URL(target.url).host;
  const auth = `Authorization: Bearer ${target.key}\r\n`;
  const cases: Array<[string, string]> = [
    ['bad request line', 'GARBAGE\r\n\r\n'],
    ['bad method', `G@T /healthz HTTP/1.1\r\nHost: ${host}\r\n\r\n`],
    ['bad version', `GET /healthz HTTP/9.9\r\nHost: ${host}\r\n\r\n`],
    ['header without colon', `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nBroken header\r\n\r\n`],
    ['NUL in header', `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nX-A: a\u0000b\r\n\r\n`],
    ['huge header', `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`],
    [
      'two content-lengths',
      `POST /v1/customers HTTP/1.1\r\nHost: ${host}\r\n${auth}Content-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\n{}`,
    ],
    [
      'bad chunk',
      `POST /v1/customers HTTP/1.1\r\nHost: ${host}\r\n${auth}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n`,
    ],
    [
      'te and cl',
      `POST /v1/customers HTTP/1.1\r\nHost: ${host}\r\n${auth}Content-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    ],
    [
      '50 MB declared',
      `POST /v1/customers HTTP/1.1\r\nHost: ${host}\r\n${auth}Content-Type: application/json\r\nContent-Length: 52428800\r\n\r\n{}`,
    ],
    [
      'negative length',
      `POST /v1/customers HTTP/1.1\r\nHost: ${host}\r\n${auth}Content-Type: application/json\r\nContent-Length: -1\r\n\r\n{}`,
    ],
    ['bare LF', `GET /healthz HTTP/1.1\nHost: ${host}\n\n`],
  ];
  const [label, text] = rng.pick(cases);
  return { bytes: Buffer.from(text, 'latin1'), label: `framing: ${label}` };
}

interface Answer {
  status: number;
  contentType: string;
  body: Buffer;
}

function send(target: FuzzTarget, p: Planned, timeoutMs: number): Promise<Answer> {
  // A large body may be refused before it is read and the connection closed under the writer: over a bare
  // socket the answer that came first is still read.
  if (p.body && p.body.length > 256 * 1024) {
    const head = Object.entries({
      ...p.headers,
      host: new URL(target.url).host,
      'content-length': String(p.body.length),
      connection: 'close',
    })
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    return sendRaw(target, Buffer.concat([Buffer.from(`${p.method} ${p.path} HTTP/1.1\r\n${head}\r\n`, 'latin1'), p.body]), timeoutMs);
  }
  return new Promise((resolve, reject) => {
    const url = new URL(target.url);
    const headers = { ...p.headers };
    if (p.body) headers['content-length'] = String(p.body.length);
    const req = http.request(
      { host: url.hostname, port: url.port, method: p.method, path: p.path, headers, agent: false, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(p.body);
  });
}

function sendRaw(target: FuzzTarget, bytes: Buffer, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL(target.url);
    const socket = net.connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      // One answer is all we wait for: a server keeping the connection for the rest of a declared body is fine.
      const text = finalAnswer(Buffer.concat(chunks).toString('latin1'));
      const head = text.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, head));
      if (head >= 0 && length && text.length - head - 4 >= Number(length[1])) socket.end();
    });
    let failure: Error | undefined;
    socket.on('error', (err) => (failure = err)); // 'close' follows: an answer read before it still counts
    socket.on('close', () => {
      clearTimeout(timer);
      const text = finalAnswer(Buffer.concat(chunks).toString('latin1'));
      const head = text.indexOf('\r\n\r\n');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (!status || head < 0)
        return reject(new Error(`no HTTP answer (${failure?.message ?? (chunks.length ? 'garbled' : 'connection closed')})`));
      const contentType = /\r\ncontent-type: *([^\r]*)/i.exec(text.slice(0, head))?.[1] ?? '';
      resolve({ status: Number(status[1]), contentType, body: Buffer.from(text.slice(head + 4), 'latin1') });
    });
  });
}

/** The answer after any interim `100 Continue`. */
const finalAnswer = (text: string) => text.replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, '');

/** Why an answer falls outside the model, or undefined when it is fine. */
function judge(answer: Answer, method: string): Finding['kind'] | undefined {
  if (answer.status >= 500) return '5xx';
  if (method === 'HEAD' || answer.status === 204) return undefined;
  const text = answer.body.toString('utf8');
  if (answer.status >= 400 || answer.status < 200) {
    if (!answer.contentType.startsWith('application/json')) return 'outside_model';
    try {
      const body = ErrorModel.parse(JSON.parse(text));
      return body.error.status === answer.status ? undefined : 'outside_model';
    } catch {
      return 'outside_model';
    }
  }
  // Documents the gateway serves as such (CSV exports, metrics, the reference page and its assets) say so.
  if (/^(text\/(csv|plain|html|css|javascript)|application\/javascript|image\/)/.test(answer.contentType)) return undefined;
  try {
    JSON.parse(text);
    return undefined;
  } catch {
    return 'outside_model';
  }
}

export interface FuzzOptions {
  requests: number;
  seed: number;
  /** Requests in flight at once (default 8). */
  concurrency?: number;
  /** Share of framing mutations over a bare socket (default 0.03). */
  framingShare?: number;
  /** Per request, in ms (default 30 s: a verification may wait on a simulator). */
  timeoutMs?: number;
  onProgress?: (done: number) => void;
}

/** Sends `requests` mutated requests to `target` and reports what came back. */
export async function fuzz(target: FuzzTarget, options: FuzzOptions): Promise<FuzzReport> {
  const rng = new Rng(options.seed);
  const started = Date.now();
  const report: FuzzReport = { requests: 0, framing: 0, byStatus: {}, byCode: {}, findings: [], ms: 0 };
  const timeoutMs = options.timeoutMs ?? 30_000;
  let next = 0;
  const worker = async () => {
    while (next < options.requests) {
      next++;
      const raw = rng.next() < (options.framingShare ?? 0.03);
      const planned = raw ? undefined : plan(rng, rng.pick(SEEDS), target);
      const frame = raw ? framing(rng, target) : undefined;
      const label = planned?.label ?? frame!.label;
      report.requests++;
      if (report.requests % 1000 === 0) options.onProgress?.(report.requests);
      if (raw) report.framing++;
      let answer: Answer;
      try {
        answer = planned ? await send(target, planned, timeoutMs) : await sendRaw(target, frame!.bytes, timeoutMs);
      } catch (err) {
        report.findings.push({ kind: 'no_answer', request: label, detail: (err as Error).message });
        continue;
      }
      report.byStatus[answer.status] = (report.byStatus[answer.status] ?? 0) + 1;
      let code = '';
      try {
        code = (JSON.parse(answer.body.toString('utf8')) as { error?: { code?: string } }).error?.code ?? '';
      } catch {
        // judged below
      }
      if (code) report.byCode[code] = (report.byCode[code] ?? 0) + 1;
      const verdict = judge(answer, planned?.method ?? 'GET');
      if (verdict) {
        const sent = (planned?.body ?? frame?.bytes)?.subarray(0, 300).toString('utf8');
        report.findings.push({
          kind: verdict,
          request: label,
          status: answer.status,
          detail: answer.body.toString('utf8').slice(0, 300),
          sent,
        });
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  report.ms = Date.now() - started;
  return report;
}
