import type { FastifyError, FastifyInstance } from 'fastify';
import { InvalidInput, NotFound, PayloadTooLarge, RateLimited, WardenError } from '../common/index.ts';

/** Every error leaves as `{error:{message,type,param,code}}`, the shape OpenAI's clients parse. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | WardenError, request, reply) => {
    const known = toWardenError(error);
    if (known instanceof RateLimited) reply.header('retry-after', String(known.retryAfterSeconds));
    if (known.statusCode >= 500) request.log.error({ err: error }, 'request failed');
    return reply.status(known.statusCode).send(known.toBody());
  });

  app.setNotFoundHandler((request, reply) => {
    const error = new NotFound(`Route ${request.method} ${request.url.split('?')[0]}`);
    return reply.status(404).send(error.toBody());
  });
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
