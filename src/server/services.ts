import { AuditLog } from '../audit/index.ts';
import { type Clock, systemClock } from '../common/index.ts';
import type { Store } from '../db/index.ts';
import { PolicyRegistry } from '../policy/index.ts';
import { Tenancy } from '../tenancy/index.ts';

/** The domains, wired together once; the server and the CLI both start from here. */
export interface Services {
  store: Store;
  clock: Clock;
  audit: AuditLog;
  tenancy: Tenancy;
  policies: PolicyRegistry;
}

export function createServices(store: Store, clock: Clock = systemClock): Services {
  const audit = new AuditLog(store, clock);
  const policies = new PolicyRegistry(store, audit, clock);
  const tenancy = new Tenancy(store, audit, clock, [policies.seedTenant]);
  return { store, clock, audit, tenancy, policies };
}
