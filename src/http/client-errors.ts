import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { AppError } from '../errors/app-error';
import { newId } from '../ids';
import { serialiseError } from './error-response';

/**
 * What the HTTP server itself answers, before Express sees a request, in the suite's error model:
 * - a request Node cannot parse (bad framing, a bad header, headers over the limit, too slow): Node's
 *   `clientError` would write a bare `400 Bad Request`; this writes the suite's body, with a request id;
 * - `Expect: 100-continue`: Node would send `100 Continue` at once; the request goes to the app instead,
 *   and the body parser sends it once the request passed everything before the body (json-body.ts), so a
 *   refused request (bad key, over the size limit) is answered without its body ever being sent.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const started = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
    if (err.code === 'ECONNRESET' || !socket.writable || started) return void socket.destroy();
    const reply = serialiseError(clientErrorOf(err), newId('req'));
    const body = JSON.stringify(reply.body);
    socket.end(
      [
        `HTTP/1.1 ${reply.status} ${STATUS_CODES[reply.status] ?? 'Error'}`,
        'Content-Type: application/json; charset=utf-8',
        `Content-Length: ${Buffer.byteLength(body)}`,
        `X-Request-Id: ${reply.body.error.requestId}`,
        'Connection: close',
        '',
        body,
      ].join('\r\n'),
    );
  });
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => server.emit('request', req, res));
}

function clientErrorOf(err: NodeJS.ErrnoException): AppError {
  if (err.code === 'HPE_HEADER_OVERFLOW') return new AppError('request_headers_too_large');
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return new AppError('request_timeout');
  // The parser's code (HPE_INVALID_METHOD, ...) names what was wrong; the request's bytes are never echoed.
  const what = typeof err.code === 'string' && /^HPE_[A-Z_]+$/.test(err.code) ? ` (${err.code})` : '';
  return new AppError('invalid_request', { params: { detail: `malformed HTTP request${what}` } });
}
