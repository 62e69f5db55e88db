import type { AuditLog } from '../audit/index.ts';
import type { Clock } from '../common/index.ts';
import type { Store } from '../db/index.ts';

/** What every enforcement module needs: the database, the audit log and the injected clock. */
export interface EnforceContext {
  store: Store;
  audit: AuditLog;
  clock: Clock;
}
