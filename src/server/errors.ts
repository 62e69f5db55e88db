import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { InvalidInput, NotFound, PayloadTooLarge, RateLimited, Unauthenticated, WardenError } from '../common/index.ts';

/** Methods a route may answer to; a path that exists under another of them gets 405, not 404. */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** Every error leaves as `{error:{message,type,param,code}}`, the shape OpenAI's clients parse. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | WardenError, request, reply) => {
    const known = toWardenError(error);
    if (known instanceof RateLimited) reply.header('retry-after', String(known.retryAfterSeconds));
    // RFC 6750: say how to authenticate, and whether the key sent was the problem.
    if (known instanceof Unauthenticated) reply.header('www-authenticate', `Bearer realm="warden"${request.headers.authorization ? ', error="invalid_token"' : ''}`);
    if (known.statusCode >= 500) request.log.error({ err: error }, 'request failed');
    return reply.status(known.statusCode).send(known.toBody());
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    const allowed = METHODS.filter((method) => method !== request.method && app.findRoute({ method, url: path }) !== null);
    if (allowed.length > 0) {
      const error = new WardenError(405, 'invalid_request_error', 'method_not_allowed', `${request.method} is not allowed on ${path}; use ${allowed.join(', ')}.`);
      return reply.status(405).header('allow', allowed.join(', ')).send(error.toBody());
    }
    return reply.status(404).send(new NotFound(`Route ${request.method} ${path}`).toBody());
  });
}

/**
 * Fastify options for the errors it raises before any route or hook runs: a malformed or
 * over-long URL (`frameworkErrors`) and a request Node's HTTP parser refuses (`clientErrorHandler`:
 * oversized headers, a bad Content-Length, garbage). Both answer in the OpenAI shape too.
 */
export const frameworkErrorOptions: Pick<FastifyServerOptions, 'frameworkErrors' | 'clientErrorHandler'> = {
  frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
    const known =
      error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? new WardenError(414, 'invalid_request_error', 'uri_too_long', 'A path segment of the URL is longer than this server accepts.')
        : new InvalidInput('The URL is not valid (a malformed %-escape?).', null, 'invalid_url');
    void reply.status(known.statusCode).send(known.toBody());
  },
  clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket) {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const known = clientError(error.code);
    if (socket.writable) {
      const body = JSON.stringify(known.toBody());
      socket.write(
        `HTTP/1.1 ${known.statusCode} ${STATUS_CODES[known.statusCode]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          `Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy(error);
  },
};

/** What Node's HTTP parser refused, as an OpenAI-shaped error. */
function clientError(code: string | undefined): WardenError {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return new WardenError(431, 'invalid_request_error', 'headers_too_large', 'The request line and headers are larger than this server accepts.');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new WardenError(408, 'invalid_request_error', 'request_timeout', 'The request was not received in time.');
    case 'HPE_INVALID_CONTENT_LENGTH':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return new InvalidInput('The Content-Length header is not valid for this request.', null, 'invalid_content_length');
    default:
      return new InvalidInput('The request is not valid HTTP/1.1.', null, 'bad_request');
  }
}

function toWardenError(error: FastifyError | WardenError): WardenError {
  if (error instanceof WardenError) return error;
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new InvalidInput(`The request body is not valid JSON: ${error.message}`, null, 'invalid_json');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new PayloadTooLarge('The request body is larger than this server accepts.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new WardenError(415, 'invalid_request_error', 'unsupported_media_type', 'Send the body as application/json.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new InvalidInput('The Content-Length header does not match the body.', null, 'invalid_content_length');
  }
  if (error instanceof SyntaxError) return new InvalidInput(`The request body is not valid JSON: ${error.message}`, null, 'invalid_json');
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return new InvalidInput(error.message, null, 'invalid_request');
  return new WardenError(500, 'server_error', 'internal_error', 'The server failed to handle the request. It has been logged.');
}
