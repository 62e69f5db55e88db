import { sql } from 'kysely';
import { BufferedWriter, type Clock, sha256Hex } from '../common/index.ts';
import type { Store } from '../db/index.ts';

/** How often the shadow tallies are added to the database. */
export const SHADOW_FLUSH_MS = 2_000;
/** Disagreements kept per model, newest last; their text is cut to this many characters. */
const KEPT_EXAMPLES = 20;
const EXCERPT_CHARS = 280;

export interface ShadowExample {
  content_digest: string;
  excerpt: string;
  /** Categories the served verdict flagged, and those the candidate would have. */
  served: string[];
  candidate: string[];
  at: string;
}

export interface ShadowTally {
  compared: number;
  disagreed: number;
  disagreement_rate: number;
  by_category: Record<string, { compared: number; disagreed: number }>;
  examples: ShadowExample[];
}

interface Pending {
  tenantId: string;
  compared: number;
  disagreed: number;
  byCategory: Map<string, { compared: number; disagreed: number }>;
  examples: ShadowExample[];
}

/**
 * What the model in shadow would have flagged against what was served, counted in memory on the
 * request path and added to `model_shadow_tallies` every SHADOW_FLUSH_MS (upserts that add, so
 * replicas add up). Statistics: a crash loses at most one interval of them, never a served verdict.
 */
export class ShadowTallies extends BufferedWriter {
  private pending = new Map<string, Pending>();

  constructor(
    private readonly store: Store,
    clock: Clock,
  ) {
    super('shadow tallies', SHADOW_FLUSH_MS, clock);
  }

  /** One served verdict and what the candidate model said of the same text. */
  observe(tenantId: string, modelId: string, text: string, served: ReadonlySet<string>, candidate: ReadonlySet<string>, categories: readonly string[]): void {
    const tally = this.pending.get(modelId) ?? this.pending.set(modelId, { tenantId, compared: 0, disagreed: 0, byCategory: new Map(), examples: [] }).get(modelId)!;
    tally.compared += 1;
    let disagreed = false;
    for (const category of categories) {
      const entry = tally.byCategory.get(category) ?? tally.byCategory.set(category, { compared: 0, disagreed: 0 }).get(category)!;
      entry.compared += 1;
      if (served.has(category) !== candidate.has(category)) {
        entry.disagreed += 1;
        disagreed = true;
      }
    }
    if (!disagreed) return;
    tally.disagreed += 1;
    tally.examples.push({ content_digest: sha256Hex(text), excerpt: text.slice(0, EXCERPT_CHARS), served: [...served].sort(), candidate: [...candidate].sort(), at: this.clock.now().toISOString() });
    if (tally.examples.length > KEPT_EXAMPLES) tally.examples.shift();
  }

  /** Adds what is pending to the stored tallies; returns how many models it wrote. */
  async flush(): Promise<number> {
    if (!this.pending.size) return 0;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.store.db.transaction().execute(async (tx) => {
        for (const [modelId, tally] of batch) {
          const stored = await tx.selectFrom('model_shadow_tallies').select(['by_category', 'examples']).where('model_id', '=', modelId).executeTakeFirst();
          const byCategory = stored ? (JSON.parse(stored.by_category) as ShadowTally['by_category']) : {};
          for (const [category, entry] of tally.byCategory) {
            const sum = (byCategory[category] ??= { compared: 0, disagreed: 0 });
            sum.compared += entry.compared;
            sum.disagreed += entry.disagreed;
          }
          const examples = [...(stored ? (JSON.parse(stored.examples) as ShadowExample[]) : []), ...tally.examples].slice(-KEPT_EXAMPLES);
          const values = { by_category: JSON.stringify(byCategory), examples: JSON.stringify(examples), updated_at: this.clock.now().toISOString() };
          await tx
            .insertInto('model_shadow_tallies')
            .values({ model_id: modelId, tenant_id: tally.tenantId, compared: tally.compared, disagreed: tally.disagreed, ...values })
            .onConflict((oc) =>
              oc.column('model_id').doUpdateSet({
                compared: sql<number>`model_shadow_tallies.compared + excluded.compared`,
                disagreed: sql<number>`model_shadow_tallies.disagreed + excluded.disagreed`,
                ...values,
              }),
            )
            .execute();
        }
      });
    } catch (error) {
      for (const [modelId, tally] of batch) this.merge(modelId, tally);
      throw error;
    }
    return batch.size;
  }

  async read(tenantId: string, modelId: string): Promise<ShadowTally> {
    await this.flush();
    const row = await this.store.db.selectFrom('model_shadow_tallies').selectAll().where('tenant_id', '=', tenantId).where('model_id', '=', modelId).executeTakeFirst();
    const compared = Number(row?.compared ?? 0);
    const disagreed = Number(row?.disagreed ?? 0);
    return {
      compared,
      disagreed,
      disagreement_rate: compared ? Math.round((disagreed / compared) * 10000) / 10000 : 0,
      by_category: row ? (JSON.parse(row.by_category) as ShadowTally['by_category']) : {},
      examples: row ? (JSON.parse(row.examples) as ShadowExample[]) : [],
    };
  }

  /** A failed flush's counts go back to pending, so the next flush writes them. */
  private merge(modelId: string, tally: Pending): void {
    const current = this.pending.get(modelId);
    if (!current) return void this.pending.set(modelId, tally);
    current.compared += tally.compared;
    current.disagreed += tally.disagreed;
    for (const [category, entry] of tally.byCategory) {
      const sum = current.byCategory.get(category) ?? current.byCategory.set(category, { compared: 0, disagreed: 0 }).get(category)!;
      sum.compared += entry.compared;
      sum.disagreed += entry.disagreed;
    }
    current.examples = [...tally.examples, ...current.examples].slice(-KEPT_EXAMPLES);
  }
}
