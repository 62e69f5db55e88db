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

/** Resolves the bearer key to a principal, then checks the route's roles. */
export function registerAuth(app: FastifyInstance, options: AuthOptions): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    if (config.public || !request.routeOptions.url) return;
    const principal = await options.tenancy.authenticate(bearerToken(request));
    if (!principal) throw new Unauthenticated();
    request.principal = principal;
    const roles = config.roles;
    if (roles && !roles.includes(principal.role)) {
      throw new Forbidden(`This route needs the ${roles.join(' or ')} role; this key has "${principal.role}".`);
    }
  });
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
