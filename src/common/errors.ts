/**
 * Errors that domains raise and the server turns into OpenAI-shaped responses
 * (`{error:{message,type,param,code}}`). Domains never import the server.
 */
export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'conflict_error'
  | 'rate_limit_error'
  | 'server_error';

export class WardenError extends Error {
  constructor(
    readonly statusCode: number,
    readonly type: ErrorType,
    readonly code: string,
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = new.target.name;
  }

  toBody() {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export class InvalidInput extends WardenError {
  constructor(message: string, param: string | null = null, code = 'invalid_value') {
    super(400, 'invalid_request_error', code, message, param);
  }
}

export class Unauthenticated extends WardenError {
  constructor(message = 'Missing or invalid API key. Send `Authorization: Bearer <key>`.') {
    super(401, 'authentication_error', 'invalid_api_key', message);
  }
}

export class Forbidden extends WardenError {
  constructor(message: string) {
    super(403, 'permission_error', 'insufficient_role', message);
  }
}

export class NotFound extends WardenError {
  constructor(what: string, param: string | null = null) {
    super(404, 'invalid_request_error', 'not_found', `${what} not found.`, param);
  }
}

export class Conflict extends WardenError {
  constructor(message: string, param: string | null = null) {
    super(409, 'invalid_request_error', 'conflict', message, param);
  }
}

export class PayloadTooLarge extends WardenError {
  constructor(message: string, param: string | null = null, code = 'payload_too_large') {
    super(413, 'invalid_request_error', code, message, param);
  }
}

export class RateLimited extends WardenError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, 'rate_limit_error', 'rate_limit_exceeded', `Rate limit reached. Retry after ${retryAfterSeconds}s.`);
  }
}
