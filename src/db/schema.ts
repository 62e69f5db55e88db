import type { Generated, Insertable, Selectable } from 'kysely';

/**
 * The one schema every query is typed from. Timestamps are ISO-8601 UTC strings and
 * JSON documents are text, so both SQLite and PostgreSQL store them the same way.
 */
export interface Tables {
  tenants: TenantsTable;
  api_keys: ApiKeysTable;
  policy_versions: PolicyVersionsTable;
  audit_log: AuditLogTable;
  // detection (issue 5): per-tenant threshold overrides
  moderation_thresholds: ModerationThresholdsTable;
}

export interface TenantsTable {
  id: string;
  name: string;
  created_at: string;
}

export interface ApiKeysTable {
  id: string;
  tenant_id: string;
  role: string;
  /** sha256 of the key, truncated: finds the row without revealing the secret. */
  lookup: string;
  salt: string;
  /** HMAC-SHA256(salt, key), compared in constant time. */
  hash: string;
  label: string | null;
  created_at: string;
  revoked_at: string | null;
}

export interface PolicyVersionsTable {
  seq: Generated<number>;
  tenant_id: string;
  name: string;
  version: string;
  /** The validated policy document as JSON. */
  document: string;
  digest: string;
  published_at: string;
  published_by: string;
}

export interface AuditLogTable {
  seq: Generated<number>;
  at: string;
  tenant_id: string | null;
  actor: string;
  action: string;
  target: string;
  payload: string;
  payload_digest: string;
  prev_hash: string;
  hash: string;
}

export type TenantRow = Selectable<TenantsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type PolicyVersionRow = Selectable<PolicyVersionsTable>;
export type NewPolicyVersion = Insertable<PolicyVersionsTable>;
export type AuditRow = Selectable<AuditLogTable>;

// ---- detection (issue 5): tenants' overrides of the model's per-category thresholds ----

export interface ModerationThresholdsTable {
  tenant_id: string;
  category: string;
  threshold: number;
  updated_at: string;
  updated_by: string;
}
