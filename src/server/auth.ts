import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Forbidden, Unauthenticated } from '../common/index.ts';
import type { Principal, Role, Tenancy } from '../tenancy/index.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Reachable without a key (health, metrics, the console's static files). */
    public?: boolean;
    /** Roles allowed on this route; any authenticated role when absent. */
    roles?: readonly Role[];
  }
}

export interface AuthOptions {
  tenancy: Tenancy;
}

/**
 * Resolves the bearer key to a principal, then checks the route's roles. A key verified before
 * is answered from memory without a promise (the common case on the moderation hot path).
 */
export function registerAuth(app: FastifyInstance, options: AuthOptions): void {
  const { tenancy } = options;
  app.decorateRequest('principal', null);
  app.addHook('onRequest', (request, _reply, done) => {
    const config = request.routeOptions.config;
    if (config.public || !request.routeOptions.url) return done();
    let token: string;
    try {
      token = bearerToken(request);
    } catch (error) {
      return done(error as Error);
    }
    const known = tenancy.verifiedPrincipal(token);
    if (known) return done(admit(request, known, config.roles));
    tenancy.authenticate(token).then((principal) => done(principal ? admit(request, principal, config.roles) : new Unauthenticated()), done);
  });
}

/** Sets the request's principal; the error to answer with when its role may not use the route. */
function admit(request: FastifyRequest, principal: Principal, roles: readonly Role[] | undefined): Error | undefined {
  request.principal = principal;
  if (roles && !roles.includes(principal.role)) {
    return new Forbidden(`This route needs the ${roles.join(' or ')} role; this key has "${principal.role}".`);
  }
  return undefined;
}

function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match) throw new Unauthenticated();
  return match[1]!;
}

/** The caller of an authenticated route (the auth hook guarantees one). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Unauthenticated();
  return request.principal;
}

/** How a principal appears in the audit log. */
export function actorOf(request: FastifyRequest): string {
  return `key:${principalOf(request).keyId}`;
}
