import { canonicalJson, sha256Hex, type Clock, type PageRequest } from '../common/index.ts';
import { type AuditRow, type Queryable, type Store, type Tx, afterKey, beforeCommit, lockExclusively } from '../db/index.ts';

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

/** An entry of the chain by its position: the stored head, a witness's copy of it, or the last entry walked. */
export interface ChainHead {
  seq: number;
  hash: string;
}

const EMPTY_HEAD: ChainHead = { seq: 0, hash: GENESIS_HASH };

/**
 * The head's hash as the transaction's last write of entries left it. A transaction that writes entries
 * again (one not run by withTransaction, which appends as it goes) holds the lock already and knows the
 * head: it neither locks nor reads it again. A rolled-back transaction's entry goes with its Tx object.
 */
const headsInTransaction = new WeakMap<Tx, string>();
/** Entries appended in a transaction run by withTransaction and not written yet: they are written just before it commits. */
const pendingInTransaction = new WeakMap<Tx, PendingEntry[]>();
const HEAD_ID = 1;

/** An entry as appended: its time and canonical payload fixed then, its place in the chain when written. */
interface PendingEntry {
  entry: AuditEntry;
  at: string;
  payload: string;
}

/**
 * The append-only, hash-chained log that every state change writes to. The chain's head (last
 * seq and hash) is stored in `audit_head` by the same transaction as each append, and the next
 * append chains from that stored head, not from whatever the log's last row is now: so entries
 * deleted from the end (or all of them) leave a head, or a later entry's prev_hash, pointing at
 * something that is gone.
 *
 * In a transaction run by withTransaction, entries are written when the transaction's work is done,
 * just before it commits (db's beforeCommit): all of them in one insert, with one read and one write of
 * the head. A group commit of many moderation requests thus writes the log in two statements, not two
 * per entry, and on PostgreSQL holds the chain's lock (which serialises every appending transaction)
 * only for the end of its transaction.
 */
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
    const at = this.clock.now().toISOString();
    const appended = entries.map((entry) => ({ entry, at, payload: canonicalJson(entry.payload ?? null) }));
    const pending = pendingInTransaction.get(tx);
    if (pending) {
      pending.push(...appended);
      return;
    }
    const flush = () => {
      // Entries appended after this point (by another beforeCommit callback) start a new list.
      pendingInTransaction.delete(tx);
      return this.write(tx, appended);
    };
    if (beforeCommit(tx, flush)) pendingInTransaction.set(tx, appended);
    else await this.write(tx, appended);
  }

  /** Writes entries at the chain's head: one lock and read of the head per transaction, one insert, one write of the head. */
  private async write(tx: Tx, entries: PendingEntry[]): Promise<void> {
    let prev = headsInTransaction.get(tx) ?? (await this.lockedHead(tx));
    const rows = entries.map(({ entry, at, payload }) => {
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
    let lastSeq = 0;
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const inserted = await tx.insertInto('audit_log').values(rows.slice(i, i + INSERT_CHUNK)).returning('seq').execute();
      for (const row of inserted) lastSeq = Math.max(lastSeq, Number(row.seq));
    }
    const head = { seq: lastSeq, hash: prev, updated_at: rows.at(-1)!.at };
    await tx
      .insertInto('audit_head')
      .values({ id: HEAD_ID, ...head })
      .onConflict((conflict) => conflict.column('id').doUpdateSet(head))
      .execute();
    headsInTransaction.set(tx, prev);
  }

  /** Takes the chain's lock for the transaction and reads the stored head's hash. */
  private async lockedHead(tx: Tx): Promise<string> {
    await lockExclusively(this.store, tx, AUDIT_LOCK_KEY);
    return (await storedHead(tx))?.hash ?? GENESIS_HASH;
  }

  /** The tenant's entries, oldest first, a page at a time (cursor: seq). */
  async list(tenantId: string, page: PageRequest): Promise<AuditRow[]> {
    let query = this.store.db.selectFrom('audit_log').selectAll().where('tenant_id', '=', tenantId);
    if (page.after) query = query.where(afterKey(['seq'], page.after));
    return query.orderBy('seq').limit(page.limit).execute();
  }
}

async function storedHead(db: Queryable): Promise<ChainHead | null> {
  const row = await db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', HEAD_ID).executeTakeFirst();
  return row ? { seq: Number(row.seq), hash: row.hash } : null;
}

export type VerifyResult =
  | { ok: true; entries: number; head: ChainHead }
  | {
      ok: false;
      entries: number;
      /** The stored head (null when it was deleted). */
      head: ChainHead | null;
      /** The first entry that does not hold; action is null when the entry is missing. */
      firstBad: { seq: number; action: string | null; reason: string };
    };

export interface VerifyOptions {
  batchSize?: number;
  /** A head recorded earlier outside the database: that entry must still be in the chain, unchanged. */
  witness?: ChainHead;
}

/**
 * Walks the whole chain in order and names the first entry that does not hold, then checks that
 * the chain ends exactly at the stored head (and passes through the witness, when given).
 */
export async function verifyChain(store: Store, options: VerifyOptions = {}): Promise<VerifyResult> {
  const batchSize = options.batchSize ?? 1000;
  const head = await storedHead(store.db);
  const witness = options.witness ?? null;
  let last = EMPTY_HEAD;
  let entries = 0;
  const broken = (seq: number, action: string | null, reason: string): VerifyResult => ({ ok: false, entries, head, firstBad: { seq, action, reason } });
  for (;;) {
    const rows = await store.db.selectFrom('audit_log').selectAll().where('seq', '>', last.seq).orderBy('seq').limit(batchSize).execute();
    for (const row of rows) {
      const reason = checkRow(row, last.hash) ?? (head && row.seq > head.seq ? `the entry is past the stored head #${head.seq} (written without moving the head)` : null);
      if (reason) return broken(row.seq, row.action, reason);
      if (witness && last.seq < witness.seq && row.seq > witness.seq) return broken(witness.seq, null, `the witnessed entry #${witness.seq} is missing`);
      if (witness && row.seq === witness.seq && row.hash !== witness.hash) return broken(row.seq, row.action, 'the entry differs from the witnessed head (the chain was rewritten)');
      last = { seq: row.seq, hash: row.hash };
      entries += 1;
    }
    if (rows.length < batchSize) break;
  }
  if (!head) return broken(last.seq + 1, null, 'the stored head (audit_head) is missing');
  if (last.seq < head.seq) return broken(head.seq, null, `entries after #${last.seq} up to the stored head #${head.seq} are missing (the log was truncated)`);
  if (last.hash !== head.hash) return broken(last.seq, null, 'the last entry is not the stored head (the chain was rewritten)');
  if (witness && last.seq < witness.seq) return broken(witness.seq, null, `the witnessed entry #${witness.seq} is missing (the log was truncated)`);
  return { ok: true, entries, head };
}

function checkRow(row: AuditRow, expectedPrev: string): string | null {
  if (row.prev_hash !== expectedPrev) return 'prev_hash does not match the previous entry (an entry was removed or reordered)';
  if (sha256Hex(row.payload) !== row.payload_digest) return 'payload does not match its digest (the payload was altered)';
  if (entryHash(row) !== row.hash) return 'hash does not cover the entry (a field was altered)';
  return null;
}
