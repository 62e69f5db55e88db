import { sql } from 'kysely';
import { canonicalJson, sha256Hex, type Clock } from '../common/index.ts';
import type { AuditRow, Store, Tx } from '../db/index.ts';

export const GENESIS_HASH = '0'.repeat(64);
// Any constant works: it only has to be the same in every process sharing the database.
const AUDIT_LOCK_KEY = 0x57415244;
// Rows per INSERT: well under SQLite's and PostgreSQL's limits on bound parameters.
const INSERT_CHUNK = 500;

export interface AuditEntry {
  tenantId: string | null;
  /** Who did it: `key:<id>`, `cli`, `system`. */
  actor: string;
  /** What happened, `<domain>.<verb>`: `key.created`, `policy.published`. */
  action: string;
  /** What it happened to: an object id or name. */
  target: string;
  payload: unknown;
}

interface HashedFields {
  at: string;
  tenant_id: string | null;
  actor: string;
  action: string;
  target: string;
  payload_digest: string;
  prev_hash: string;
}

export function entryHash(fields: HashedFields): string {
  return sha256Hex(
    canonicalJson({
      prev: fields.prev_hash,
      at: fields.at,
      tenant: fields.tenant_id,
      actor: fields.actor,
      action: fields.action,
      target: fields.target,
      payload: fields.payload_digest,
    }),
  );
}

/** The append-only, hash-chained log that every state change writes to. */
export class AuditLog {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** Appends inside the caller's transaction, so the entry exists exactly when the change does. */
  async append(tx: Tx, entry: AuditEntry): Promise<void> {
    await this.appendMany(tx, [entry]);
  }

  /** Appends several entries, chained in order, with one lock and one read of the chain's head (batched writes). */
  async appendMany(tx: Tx, entries: AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    if (this.store.dialect === 'postgres') {
      await sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`.execute(tx);
    }
    const last = await tx.selectFrom('audit_log').select('hash').orderBy('seq', 'desc').limit(1).executeTakeFirst();
    const at = this.clock.now().toISOString();
    let prev = last?.hash ?? GENESIS_HASH;
    const rows = entries.map((entry) => {
      const payload = canonicalJson(entry.payload ?? null);
      const fields: HashedFields = {
        at,
        tenant_id: entry.tenantId,
        actor: entry.actor,
        action: entry.action,
        target: entry.target,
        payload_digest: sha256Hex(payload),
        prev_hash: prev,
      };
      prev = entryHash(fields);
      return { ...fields, payload, hash: prev };
    });
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      await tx.insertInto('audit_log').values(rows.slice(i, i + INSERT_CHUNK)).execute();
    }
  }

  async list(tenantId: string, options: { limit: number; after?: number }): Promise<AuditRow[]> {
    return this.store.db
      .selectFrom('audit_log')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('seq', '>', options.after ?? 0)
      .orderBy('seq')
      .limit(options.limit)
      .execute();
  }
}

export type VerifyResult =
  | { ok: true; entries: number; head: string }
  | { ok: false; entries: number; firstBad: { seq: number; action: string; reason: string } };

/** Walks the whole chain in order and names the first entry that does not hold. */
export async function verifyChain(store: Store, batchSize = 1000): Promise<VerifyResult> {
  let prev = GENESIS_HASH;
  let after = 0;
  let entries = 0;
  for (;;) {
    const rows = await store.db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(batchSize)
      .execute();
    for (const row of rows) {
      const reason = checkRow(row, prev);
      if (reason) return { ok: false, entries, firstBad: { seq: row.seq, action: row.action, reason } };
      prev = row.hash;
      entries += 1;
    }
    if (rows.length < batchSize) return { ok: true, entries, head: prev };
    after = rows[rows.length - 1]!.seq;
  }
}

function checkRow(row: AuditRow, expectedPrev: string): string | null {
  if (row.prev_hash !== expectedPrev) return 'prev_hash does not match the previous entry (an entry was removed or reordered)';
  if (sha256Hex(row.payload) !== row.payload_digest) return 'payload does not match its digest (the payload was altered)';
  if (entryHash(row) !== row.hash) return 'hash does not cover the entry (a field was altered)';
  return null;
}
