import type { AuditLog } from '../audit/index.ts';
import type { Clock, Hooks } from '../common/index.ts';
import type { Store, Tx } from '../db/index.ts';
import type { Enforcement } from '../enforce/index.ts';
import type { PolicyRegistry } from '../policy/index.ts';
import type { ClosedCase, ContentDecided } from './decisions.ts';

/** What every review module needs. Decisions reach accounts only through `enforcement`. */
export interface ReviewContext {
  store: Store;
  audit: AuditLog;
  clock: Clock;
  policies: PolicyRegistry;
  enforcement: Enforcement;
  /** Told, inside the decision's transaction, when a case standing for another domain's object closes. */
  caseClosed: Hooks<[tx: Tx, closed: ClosedCase]>;
  /** Told, inside the decision's transaction, what a closed case settled about its content (learning subscribes). */
  contentDecided: Hooks<[tx: Tx, decided: ContentDecided]>;
}

/** The caller as review sees it: who (for leases and audit), which tenant, and which role. */
export interface Reviewer {
  tenantId: string;
  /** The reviewer's stable identity, `key:<id>`: leases and decisions are held by it. */
  actor: string;
  role: string;
}

/** Only the child_safety role sees child-safety cases (DESIGN: restricted viewing of that evidence). */
export function seesChildSafety(reviewer: Reviewer): boolean {
  return reviewer.role === 'child_safety';
}
