import { BufferedWriter, type Clock } from '../common/index.ts';
import type { Store } from '../db/index.ts';
import { type RuleMatch, type RuleSubject, actionKind } from './compile.ts';
import type { ActionKind, RuleMode } from './document.ts';

/** Rows per INSERT: well under both databases' limits on bound parameters. */
const INSERT_CHUNK = 500;
/** Beyond this many unwritten hits (the database is down), the oldest are dropped and counted. */
export const MAX_BUFFERED_HITS = 50_000;
export const HIT_FLUSH_MS = 1_000;
/** Hits are kept this long, then deleted by the writer (checked once an hour). */
export const HIT_RETENTION_DAYS = 30;
/** The most recent hits scanned for examples. */
const EXAMPLE_SCAN = 2_000;
const PRUNE_EVERY_MS = 3_600_000;

export interface HitCounts {
  version: string;
  rule: string;
  mode: RuleMode;
  matches: number;
  accounts: number;
  /** Per action kind, how many matches asked for it (taken when live, only recorded in shadow). */
  actions: Partial<Record<ActionKind, number>>;
  examples: { subject_ref: string | null; account: string | null; source: string; at: string }[];
}

/**
 * Records every rule match, live or shadow, off the request path: matches wait in memory and a
 * background pass writes them in batches, so judging an item costs no database write. A process
 * that dies loses at most its last second of hits (they are statistics, not decisions).
 */
export class RuleHits extends BufferedWriter {
  private buffer: { tenant_id: string; version: string; rule_id: string; mode: string; source: string; subject_ref: string | null; account: string | null; actions: string; at: string }[] = [];
  /** Hits dropped because the buffer was full. */
  dropped = 0;

  constructor(
    private readonly store: Store,
    clock: Clock,
  ) {
    super('rule hits', HIT_FLUSH_MS, clock, PRUNE_EVERY_MS);
  }

  record(subject: RuleSubject, subjectRef: string | null, matches: RuleMatch[]): void {
    const at = new Date(subject.at).toISOString();
    for (const match of matches) {
      this.buffer.push({
        tenant_id: subject.tenantId,
        version: match.version,
        rule_id: match.rule,
        mode: match.mode,
        source: subject.source,
        subject_ref: subjectRef,
        account: subject.account?.id ?? null,
        actions: JSON.stringify(match.actions.map(actionKind)),
        at,
      });
    }
    const excess = this.buffer.length - MAX_BUFFERED_HITS;
    if (excess > 0) {
      this.buffer.splice(0, excess);
      this.dropped += excess;
    }
  }

  /** Writes what is buffered; returns how many rows it wrote. */
  async flush(): Promise<number> {
    const rows = this.buffer;
    if (!rows.length) return 0;
    this.buffer = [];
    try {
      await this.store.db.transaction().execute(async (tx) => {
        for (let i = 0; i < rows.length; i += INSERT_CHUNK) await tx.insertInto('rule_hits').values(rows.slice(i, i + INSERT_CHUNK)).execute();
      });
    } catch (error) {
      this.buffer = [...rows, ...this.buffer];
      throw error;
    }
    return rows.length;
  }

  /** Matches per version, rule and mode in [from, to), with the actions they took or would have taken. */
  async counts(tenantId: string, range: { from: Date; to: Date; version?: string }, examplesPerRule = 5): Promise<HitCounts[]> {
    let base = this.store.db
      .selectFrom('rule_hits')
      .where('tenant_id', '=', tenantId)
      .where('at', '>=', range.from.toISOString())
      .where('at', '<', range.to.toISOString());
    if (range.version) base = base.where('version', '=', range.version);
    const [groups, recent] = await Promise.all([
      base
        .select((eb) => ['version', 'rule_id', 'mode', 'actions', eb.fn.countAll<number | string>().as('matches'), eb.fn.count<number | string>('account').distinct().as('accounts')])
        .groupBy(['version', 'rule_id', 'mode', 'actions'])
        .execute(),
      base.select(['version', 'rule_id', 'mode', 'source', 'subject_ref', 'account', 'at']).orderBy('seq', 'desc').limit(EXAMPLE_SCAN).execute(),
    ]);
    const out = new Map<string, HitCounts>();
    const keyOf = (row: { version: string; rule_id: string; mode: string }) => `${row.version}\u0000${row.rule_id}\u0000${row.mode}`;
    for (const row of groups) {
      const key = keyOf(row);
      const entry = out.get(key) ?? { version: row.version, rule: row.rule_id, mode: row.mode as RuleMode, matches: 0, accounts: 0, actions: {}, examples: [] };
      entry.matches += Number(row.matches);
      entry.accounts += Number(row.accounts);
      for (const kind of JSON.parse(row.actions) as ActionKind[]) entry.actions[kind] = (entry.actions[kind] ?? 0) + Number(row.matches);
      out.set(key, entry);
    }
    for (const row of recent) {
      const entry = out.get(keyOf(row));
      if (entry && entry.examples.length < examplesPerRule) entry.examples.push({ subject_ref: row.subject_ref, account: row.account, source: row.source, at: row.at });
    }
    return [...out.values()].sort((a, b) => a.version.localeCompare(b.version) || a.rule.localeCompare(b.rule) || a.mode.localeCompare(b.mode));
  }

  /** Hits older than `before` are deleted (retention; see README). */
  async prune(before: Date): Promise<number> {
    const result = await this.store.db.deleteFrom('rule_hits').where('at', '<', before.toISOString()).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  get pending(): number {
    return this.buffer.length;
  }

  /** Once an hour, after a flush: hits older than the retention go. */
  protected override async upkeep(now: Date): Promise<void> {
    await this.prune(new Date(now.getTime() - HIT_RETENTION_DAYS * 86_400_000));
  }
}
