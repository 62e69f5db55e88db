import type { AuditLog } from '../audit/index.ts';
import { type Category, type Clock, Hooks, InvalidInput, NotFound, type PageRequest, newId, sha256Hex } from '../common/index.ts';
import { type HashBankRow, type Store, type Tx, afterKey } from '../db/index.ts';
import type { PolicyDocument } from '../policy/index.ts';
import type { ImageHashes } from './hashing.ts';
import { PdqIndex } from './matcher.ts';
import { pdqFromHex } from './pdq.ts';

export const HASH_KINDS = ['pdq', 'md5', 'sha256'] as const;
export type HashKind = (typeof HASH_KINDS)[number];

/** Upstream's recommended PDQ match threshold. */
export const DEFAULT_BANK_THRESHOLD = 31;
export const MAX_BANK_THRESHOLD = 63;
const HEX_LENGTH: Record<HashKind, number> = { pdq: 64, md5: 32, sha256: 64 };
const CHILD_SAFETY_CATEGORY = 'sexual/minors';
const INSERT_CHUNK = 500;

export interface BankInput {
  name: string;
  description?: string | null;
  clause_id: string;
  /** Required when the clause has several categories. */
  category?: string;
  threshold?: number;
  enabled?: boolean;
}

export type BankPatch = Partial<Pick<BankInput, 'name' | 'description' | 'threshold' | 'enabled'>>;

export interface BankView {
  object: 'hash_bank';
  id: string;
  name: string;
  description: string | null;
  clause_id: string;
  category: string;
  /** A sexual/minors bank: a match takes the child-safety path (suspension, mandatory report). */
  child_safety: boolean;
  threshold: number;
  enabled: boolean;
  hash_count: number;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface HashEntryInput {
  kind?: HashKind;
  hash: string;
  quality?: number | null;
  note?: string | null;
}

export interface HashEntryView {
  object: 'hash_bank.hash';
  kind: HashKind;
  hash: string;
  quality: number | null;
  note: string | null;
  added_by: string;
  added_at: string;
}

/** A bank that an image matched, as moderation cites it. */
export interface BankMatch {
  bank_id: string;
  bank_name: string;
  clause_id: string;
  category: Category;
  child_safety: boolean;
  kind: HashKind;
  /** The banked hash that matched. */
  hash: string;
  /** PDQ Hamming distance (0 for exact matches). */
  distance: number;
  threshold: number;
}

/** What banks need of the policy domain: the tenant's policy in force, to check the clause a bank cites. */
export interface CurrentPolicy {
  current(tenantId: string): Promise<{ document: PolicyDocument }>;
}

/**
 * A change to a bank that can make an approved image match (hashes added, the bank enabled, its threshold
 * raised or lowered), announced inside the change's transaction so that whatever follows from it (store
 * re-review) commits with it.
 */
export interface BankChange {
  tenantId: string;
  bankId: string;
  actor: string;
  /** The tenant's policy version when the change was made. */
  policyVersion: string;
}

/** A bank's entries in memory, at one revision. */
interface LoadedBank {
  revision: number;
  pdq: PdqIndex;
  pdqHashes: Map<number, string>;
  exact: Map<string, number>;
}

/**
 * Tenants' banks of known-image hashes. Each process keeps each enabled bank's hashes in memory (a multi-index
 * PDQ table and a map of exact hashes) and compares the bank's revision with the database's on each match, so a
 * change made by another process is picked up on the next image; this process's own changes are applied to the
 * loaded bank in place.
 */
export class HashBanks {
  private readonly loaded = new Map<string, LoadedBank>();

  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly policies: CurrentPolicy,
  ) {}

  /** Subscribers run inside the transaction of every change that can add matches (see {@link BankChange}). */
  readonly changed = new Hooks<[tx: Tx, change: BankChange]>();

  async create(tenantId: string, input: BankInput, actor: string): Promise<BankView> {
    const category = await this.checkClause(tenantId, input.clause_id, input.category);
    const now = this.clock.now().toISOString();
    const row: HashBankRow = {
      id: newId('hb'),
      tenant_id: tenantId,
      name: checkName(input.name),
      description: input.description ?? null,
      clause_id: input.clause_id,
      category,
      threshold: checkThreshold(input.threshold ?? DEFAULT_BANK_THRESHOLD),
      enabled: input.enabled === false ? 0 : 1,
      revision: 1,
      created_by: actor,
      created_at: now,
      updated_at: now,
      deleted_at: null,
    };
    await this.store.db.transaction().execute(async (tx) => {
      await tx.insertInto('hash_banks').values(row).execute();
      const { id, name, clause_id, threshold, enabled } = row;
      await this.audit.append(tx, { tenantId, actor, action: 'hash_bank.created', target: id, payload: { name, clause_id, category, threshold, enabled: enabled === 1 } });
    });
    return view(row, 0);
  }

  /** Oldest first, a page at a time (cursor: created_at, id). */
  async list(tenantId: string, page: PageRequest): Promise<BankView[]> {
    let query = this.store.db.selectFrom('hash_banks').selectAll().where('tenant_id', '=', tenantId).where('deleted_at', 'is', null);
    if (page.after) query = query.where(afterKey(['created_at', 'id'], page.after));
    const rows = await query.orderBy('created_at').orderBy('id').limit(page.limit).execute();
    if (rows.length === 0) return [];
    const counts = await this.store.db
      .selectFrom('hash_bank_entries')
      .select(['bank_id', (eb) => eb.fn.countAll<number>().as('count')])
      .where('tenant_id', '=', tenantId)
      .where('bank_id', 'in', rows.map((row) => row.id))
      .groupBy('bank_id')
      .execute();
    const byBank = new Map(counts.map((c) => [c.bank_id, Number(c.count)]));
    return rows.map((row) => view(row, byBank.get(row.id) ?? 0));
  }

  async get(tenantId: string, id: string): Promise<BankView> {
    const row = await this.activeRow(tenantId, id);
    return view(row, await this.countOf(id));
  }

  async update(tenantId: string, id: string, patch: BankPatch, actor: string): Promise<BankView> {
    await this.activeRow(tenantId, id);
    const changes = {
      ...(patch.name !== undefined && { name: checkName(patch.name) }),
      ...(patch.description !== undefined && { description: patch.description }),
      ...(patch.threshold !== undefined && { threshold: checkThreshold(patch.threshold) }),
      ...(patch.enabled !== undefined && { enabled: patch.enabled ? 1 : 0 }),
    };
    const matchesMayGrow = patch.threshold !== undefined || patch.enabled === true;
    const policyVersion = matchesMayGrow ? (await this.policies.current(tenantId)).document.version : '';
    await this.store.db.transaction().execute(async (tx) => {
      await this.recordChange(tx, { tenantId, id, actor, action: 'hash_bank.updated', payload: patch }, changes);
      if (matchesMayGrow) await this.changed.run(tx, { tenantId, bankId: id, actor, policyVersion });
    });
    return this.get(tenantId, id);
  }

  /** Deletes the bank and its hashes; the audit log keeps that it existed. */
  async delete(tenantId: string, id: string, actor: string): Promise<void> {
    await this.activeRow(tenantId, id);
    await this.store.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('hash_bank_entries').where('bank_id', '=', id).execute();
      await this.recordChange(tx, { tenantId, id, actor, action: 'hash_bank.deleted', payload: {} }, { deleted_at: this.clock.now().toISOString(), enabled: 0 });
    });
    this.loaded.delete(id);
  }

  /** Adds hashes; those already in the bank are left as they are (idempotent). All are checked before any is added. */
  async addHashes(tenantId: string, id: string, entries: HashEntryInput[], actor: string): Promise<{ added: number; already_present: number }> {
    await this.activeRow(tenantId, id);
    const unique = dedupe(entries.map((entry, index) => normaliseEntry(entry, `hashes[${index}]`)));
    const now = this.clock.now().toISOString();
    const added: { seq: number; kind: string; hash: string }[] = [];
    const policyVersion = (await this.policies.current(tenantId)).document.version;
    const revision = await this.store.db.transaction().execute(async (tx) => {
      for (let start = 0; start < unique.length; start += INSERT_CHUNK) {
        const rows = unique.slice(start, start + INSERT_CHUNK).map((e) => ({ bank_id: id, tenant_id: tenantId, ...e, added_by: actor, added_at: now }));
        added.push(
          ...(await tx
            .insertInto('hash_bank_entries')
            .values(rows)
            .onConflict((oc) => oc.columns(['bank_id', 'kind', 'hash']).doNothing())
            .returning(['seq', 'kind', 'hash'])
            .execute()),
        );
      }
      const payload = { added: added.length, already_present: unique.length - added.length, digest: listDigest(added) };
      const next = await this.recordChange(tx, { tenantId, id, actor, action: 'hash_bank.hashes_added', payload });
      if (added.length > 0) await this.changed.run(tx, { tenantId, bankId: id, actor, policyVersion });
      return next;
    });
    this.applyInPlace(id, revision, (bank) => {
      for (const entry of added) loadEntry(bank, entry);
    });
    return { added: added.length, already_present: unique.length - added.length };
  }

  /** Removes hashes; those not in the bank are counted, not refused (idempotent). */
  async removeHashes(tenantId: string, id: string, entries: Pick<HashEntryInput, 'kind' | 'hash'>[], actor: string): Promise<{ removed: number; not_present: number }> {
    await this.activeRow(tenantId, id);
    const unique = dedupe(entries.map((entry, index) => normaliseEntry(entry, `hashes[${index}]`)));
    const removed: { seq: number; kind: string; hash: string }[] = [];
    const revision = await this.store.db.transaction().execute(async (tx) => {
      for (const kind of HASH_KINDS) {
        const hashes = unique.filter((e) => e.kind === kind).map((e) => e.hash);
        for (let start = 0; start < hashes.length; start += INSERT_CHUNK) {
          const chunk = hashes.slice(start, start + INSERT_CHUNK);
          removed.push(
            ...(await tx.deleteFrom('hash_bank_entries').where('bank_id', '=', id).where('kind', '=', kind).where('hash', 'in', chunk).returning(['seq', 'kind', 'hash']).execute()),
          );
        }
      }
      const payload = { removed: removed.length, not_present: unique.length - removed.length, digest: listDigest(removed) };
      return this.recordChange(tx, { tenantId, id, actor, action: 'hash_bank.hashes_removed', payload });
    });
    this.applyInPlace(id, revision, (bank) => {
      for (const entry of removed) {
        bank.pdq.remove(entry.seq);
        bank.pdqHashes.delete(entry.seq);
        bank.exact.delete(`${entry.kind}:${entry.hash}`);
      }
    });
    return { removed: removed.length, not_present: unique.length - removed.length };
  }

  async listHashes(tenantId: string, id: string, options: { after?: number; limit: number }): Promise<{ data: HashEntryView[]; next_after: number | null }> {
    await this.activeRow(tenantId, id);
    const rows = await this.store.db
      .selectFrom('hash_bank_entries')
      .selectAll()
      .where('bank_id', '=', id)
      .where('seq', '>', options.after ?? 0)
      .orderBy('seq')
      .limit(options.limit)
      .execute();
    const data = rows.map((r) => ({ object: 'hash_bank.hash' as const, kind: r.kind as HashKind, hash: r.hash, quality: r.quality, note: r.note, added_by: r.added_by, added_at: r.added_at }));
    return { data, next_after: rows.length === options.limit ? Number(rows.at(-1)!.seq) : null };
  }

  /** Imports PDQ hashes in ThreatExchange's text format (see {@link parsePdqText}); a bad line refuses the whole import. */
  async importText(tenantId: string, id: string, text: string, actor: string): Promise<{ added: number; already_present: number }> {
    return this.addHashes(tenantId, id, parsePdqText(text), actor);
  }

  /** The bank's PDQ hashes as `hash,quality` lines (`hash` alone when the quality is unknown), oldest first. */
  async exportText(tenantId: string, id: string): Promise<string> {
    await this.activeRow(tenantId, id);
    const rows = await this.store.db.selectFrom('hash_bank_entries').select(['hash', 'quality']).where('bank_id', '=', id).where('kind', '=', 'pdq').orderBy('seq').execute();
    return rows.map((r) => (r.quality === null ? `${r.hash}\n` : `${r.hash},${r.quality}\n`)).join('');
  }

  /**
   * The tenant's enabled banks that an image matches: exactly (MD5, SHA-256, or a PDQ hash) or within the bank's
   * PDQ threshold, the closest banked hash per bank.
   */
  async match(tenantId: string, image: Pick<ImageHashes, 'md5' | 'sha256' | 'pdq'>): Promise<BankMatch[]> {
    const banks = await this.store.db
      .selectFrom('hash_banks')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('enabled', '=', 1)
      .where('deleted_at', 'is', null)
      .orderBy('id')
      .execute();
    const needle = pdqFromHex(image.pdq)!;
    const matches: BankMatch[] = [];
    for (const row of banks) {
      const bank = await this.loadedBank(row);
      const base = { bank_id: row.id, bank_name: row.name, clause_id: row.clause_id, category: row.category as Category, child_safety: row.category === CHILD_SAFETY_CATEGORY, threshold: row.threshold };
      const exact = (['sha256', 'md5'] as const).find((kind) => bank.exact.has(`${kind}:${image[kind]}`));
      if (exact) {
        matches.push({ ...base, kind: exact, hash: image[exact], distance: 0 });
        continue;
      }
      const near = bank.pdq.nearest(needle, row.threshold);
      if (near) matches.push({ ...base, kind: 'pdq', hash: bank.pdqHashes.get(near.id)!, distance: near.distance });
    }
    return matches;
  }

  private async loadedBank(row: HashBankRow): Promise<LoadedBank> {
    const cached = this.loaded.get(row.id);
    if (cached && cached.revision === row.revision) return cached;
    const bank: LoadedBank = { revision: row.revision, pdq: new PdqIndex(), pdqHashes: new Map(), exact: new Map() };
    const PAGE = 50_000;
    for (let after = 0; ; ) {
      const page = await this.store.db.selectFrom('hash_bank_entries').select(['seq', 'kind', 'hash']).where('bank_id', '=', row.id).where('seq', '>', after).orderBy('seq').limit(PAGE).execute();
      for (const entry of page) loadEntry(bank, entry);
      if (page.length < PAGE) break;
      after = Number(page.at(-1)!.seq);
    }
    this.loaded.set(row.id, bank);
    return bank;
  }

  /** Applies this process's own committed change to the loaded bank when nobody else changed it in between. */
  private applyInPlace(id: string, revision: number, change: (bank: LoadedBank) => void): void {
    const bank = this.loaded.get(id);
    if (!bank) return;
    if (bank.revision !== revision - 1) {
      this.loaded.delete(id);
      return;
    }
    change(bank);
    bank.revision = revision;
  }

  /** Applies a change to the bank's row, moves its revision on and audits the change; returns the new revision. */
  private async recordChange(tx: Tx, change: { tenantId: string; id: string; actor: string; action: string; payload: object }, changes: Partial<HashBankRow> = {}): Promise<number> {
    const { tenantId, id, actor, action, payload } = change;
    const row = await tx
      .updateTable('hash_banks')
      .set((eb) => ({ ...changes, revision: eb('revision', '+', 1), updated_at: this.clock.now().toISOString() }))
      .where('id', '=', id)
      .where('tenant_id', '=', tenantId)
      .returning('revision')
      .executeTakeFirstOrThrow();
    await this.audit.append(tx, { tenantId, actor, action, target: id, payload });
    return Number(row.revision);
  }

  private async activeRow(tenantId: string, id: string): Promise<HashBankRow> {
    const row = await this.store.db.selectFrom('hash_banks').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
    if (!row) throw new NotFound(`Hash bank "${id}"`, 'id');
    return row;
  }

  private async countOf(id: string): Promise<number> {
    const row = await this.store.db.selectFrom('hash_bank_entries').select((eb) => eb.fn.countAll<number>().as('count')).where('bank_id', '=', id).executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** The clause must be in the tenant's policy; the category is one of its categories (its only one when omitted). */
  private async checkClause(tenantId: string, clauseId: string, category: string | undefined): Promise<string> {
    const { document } = await this.policies.current(tenantId);
    const clause = document.clauses.find((c) => c.id === clauseId);
    if (!clause) throw new InvalidInput(`clause_id: "${clauseId}" is not a clause of this tenant's policy (${document.version})`, 'clause_id');
    if (category === undefined) {
      if (clause.categories.length !== 1) throw new InvalidInput(`category: clause ${clauseId} has several categories (${clause.categories.join(', ')}); name one`, 'category');
      return clause.categories[0]!;
    }
    if (!(clause.categories as string[]).includes(category)) {
      throw new InvalidInput(`category: "${category}" is not one of clause ${clauseId}'s categories (${clause.categories.join(', ')})`, 'category');
    }
    return category;
  }
}

/**
 * Parses PDQ hashes in the line format of ThreatExchange's tools: one hash per line as 64 hex digits, optionally
 * followed by `,quality` (0–100) and by further comma-separated fields, which are kept as the entry's note (the
 * upstream hasher prints `hash,quality,path`). Blank lines and lines starting with `#` are skipped.
 * @throws InvalidInput naming the first bad lines
 */
export function parsePdqText(text: string): HashEntryInput[] {
  const entries: HashEntryInput[] = [];
  const bad: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const [hash, quality, ...rest] = line.split(',').map((field) => field.trim());
    const q = quality === undefined || quality === '' ? null : Number(quality);
    if (!/^[0-9a-fA-F]{64}$/.test(hash!)) bad.push(`line ${index + 1}: not a 64-hex-digit PDQ hash`);
    else if (q !== null && !(Number.isInteger(q) && q >= 0 && q <= 100)) bad.push(`line ${index + 1}: quality must be an integer 0–100`);
    else entries.push({ kind: 'pdq', hash: hash!, quality: q, note: rest.length ? rest.join(',') : null });
  });
  if (bad.length) throw new InvalidInput(`Nothing was imported: ${bad.slice(0, 5).join('; ')}${bad.length > 5 ? ` (and ${bad.length - 5} more)` : ''}.`, 'body', 'invalid_hash_list');
  return entries;
}

function normaliseEntry(entry: HashEntryInput, param: string): { kind: HashKind; hash: string; quality: number | null; note: string | null } {
  const kind = entry.kind ?? 'pdq';
  const hash = entry.hash.trim().toLowerCase();
  if (!new RegExp(`^[0-9a-f]{${HEX_LENGTH[kind]}}$`).test(hash)) throw new InvalidInput(`${param}.hash: a ${kind} hash is ${HEX_LENGTH[kind]} hex digits`, `${param}.hash`);
  const quality = entry.quality ?? null;
  if (quality !== null && (kind !== 'pdq' || !Number.isInteger(quality) || quality < 0 || quality > 100)) {
    throw new InvalidInput(`${param}.quality: only PDQ hashes have a quality, an integer 0–100`, `${param}.quality`);
  }
  return { kind, hash, quality, note: entry.note ?? null };
}

function dedupe<T extends { kind: string; hash: string }>(entries: T[]): T[] {
  const seen = new Map<string, T>();
  for (const entry of entries) if (!seen.has(`${entry.kind}:${entry.hash}`)) seen.set(`${entry.kind}:${entry.hash}`, entry);
  return [...seen.values()];
}

function loadEntry(bank: LoadedBank, entry: { seq: number; kind: string; hash: string }): void {
  const seq = Number(entry.seq);
  if (entry.kind === 'pdq') {
    bank.pdq.add(seq, pdqFromHex(entry.hash)!);
    bank.pdqHashes.set(seq, entry.hash);
  } else bank.exact.set(`${entry.kind}:${entry.hash}`, seq);
}

/** A digest of the hashes a change touched, so the audit entry pins them without listing a million hashes. */
function listDigest(entries: { kind: string; hash: string }[]): string {
  return sha256Hex(entries.map((e) => `${e.kind}:${e.hash}`).sort().join('\n'));
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 200) throw new InvalidInput('name: 1–200 characters', 'name');
  return trimmed;
}

function checkThreshold(threshold: number): number {
  if (!Number.isInteger(threshold) || threshold < 0 || threshold > MAX_BANK_THRESHOLD) throw new InvalidInput(`threshold: an integer 0–${MAX_BANK_THRESHOLD} (PDQ bits)`, 'threshold');
  return threshold;
}

function view(row: HashBankRow, count: number): BankView {
  return {
    object: 'hash_bank',
    id: row.id,
    name: row.name,
    description: row.description,
    clause_id: row.clause_id,
    category: row.category,
    child_safety: row.category === CHILD_SAFETY_CATEGORY,
    threshold: row.threshold,
    enabled: row.enabled === 1,
    hash_count: count,
    created_by: row.created_by,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
