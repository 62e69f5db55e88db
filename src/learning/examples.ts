import { z } from 'zod';
import type { AuditLog } from '../audit/index.ts';
import { type Clock, MODERATION_CATEGORIES, NotFound, type PageRequest, newId, sha256Hex } from '../common/index.ts';
import { type Queryable, type Store, type TrainingExampleRow, type Tx, afterKey, withTransaction } from '../db/index.ts';
import type { ContentDecided } from '../review/index.ts';

const CATEGORY = z.enum(MODERATION_CATEGORIES);
/** An uploaded or corrected example: DESIGN §7's labelled item (`labels` as category → bool; absent is unknown). */
export const exampleInput = z
  .object({
    text: z.string().min(1).max(32_768),
    labels: z.record(CATEGORY, z.boolean()).refine((labels) => Object.keys(labels).length > 0, 'give at least one category label'),
    clause_ids: z.array(z.string().min(1).max(100)).max(20).optional(),
  })
  .strict();
export type ExampleInput = z.infer<typeof exampleInput>;
export const uploadInput = z.object({ examples: z.array(exampleInput).min(1).max(1000) }).strict();
export const correctionInput = z.object({ labels: exampleInput.shape.labels }).strict();

/** An example as the API shows it. */
export interface ExampleView {
  id: string;
  object: 'training.example';
  content_digest: string;
  text: string | null;
  labels: Record<string, boolean>;
  clause_ids: string[];
  source: string;
  source_ref: string | null;
  decided_by: string;
  decided_at: string;
  held_out: boolean;
  created_at: string;
}

export interface ExampleCounts {
  total: number;
  /** Examples whose content was not retained: counted, never trained on. */
  without_text: number;
  by_source: Record<string, number>;
  /** Per category: examples labelled true and false. */
  by_category: Record<string, { positive: number; negative: number }>;
}

/**
 * The tenant's labelled examples: one per content (by digest), the latest word on it wins — a
 * reviewer's final decision, an appeal's outcome, an admin's upload or correction.
 */
export class TrainingExamples {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly heldOut: (digest: string) => boolean,
  ) {}

  /** Review's hook: records what a final decision says about the content, in the decision's transaction. */
  readonly recordDecision = async (tx: Tx, decided: ContentDecided): Promise<void> => {
    if (decided.childSafety || decided.category === 'sexual/minors' || decided.text === null) return;
    const labels = decided.finding === 'violation' ? violationLabels(decided) : noViolationLabels();
    if (!Object.keys(labels).length) return;
    await this.upsert(tx, {
      tenantId: decided.tenantId,
      text: decided.text,
      labels,
      clauseIds: decided.finding === 'violation' ? decided.clauseIds : [],
      source: decided.source,
      sourceRef: decided.decisionId,
      decidedBy: decided.reviewer,
      at: decided.at,
    });
  };

  /** An admin's labelled examples, all or none. */
  async upload(tenantId: string, examples: ExampleInput[], actor: string): Promise<{ recorded: number }> {
    const at = this.clock.now();
    const uploadId = newId('upl');
    await withTransaction(this.store, async (tx) => {
      for (const example of examples) {
        await this.upsert(tx, { tenantId, text: example.text, labels: example.labels, clauseIds: example.clause_ids ?? [], source: 'upload', sourceRef: uploadId, decidedBy: actor, at });
      }
      await this.audit.append(tx, { tenantId, actor, action: 'training.examples_uploaded', target: uploadId, payload: { count: examples.length } });
    });
    return { recorded: examples.length };
  }

  /** Replaces an example's labels (an admin's correction). */
  async correct(tenantId: string, id: string, labels: Record<string, boolean>, actor: string): Promise<ExampleView> {
    const at = this.clock.now().toISOString();
    return withTransaction(this.store, async (tx) => {
      const row = await this.find(tx, tenantId, id);
      const updated = { ...row, labels: JSON.stringify(sorted(labels)), source: 'correction', decided_by: actor, decided_at: at };
      await tx.updateTable('training_examples').set({ labels: updated.labels, source: updated.source, decided_by: actor, decided_at: at }).where('id', '=', id).execute();
      await this.audit.append(tx, { tenantId, actor, action: 'training.example_corrected', target: id, payload: { before: JSON.parse(row.labels), after: labels } });
      return this.view(updated);
    });
  }

  /** Deletes an example (content the tenant no longer may keep): later models no longer see it. */
  async remove(tenantId: string, id: string, actor: string): Promise<void> {
    await withTransaction(this.store, async (tx) => {
      await this.find(tx, tenantId, id);
      await tx.deleteFrom('training_examples').where('id', '=', id).execute();
      await this.audit.append(tx, { tenantId, actor, action: 'training.example_deleted', target: id, payload: {} });
    });
  }

  async list(tenantId: string, page: PageRequest): Promise<ExampleView[]> {
    let query = this.store.db.selectFrom('training_examples').selectAll().where('tenant_id', '=', tenantId);
    if (page.after) query = query.where(afterKey(['created_at', 'id'], page.after));
    const rows = await query.orderBy('created_at').orderBy('id').limit(page.limit).execute();
    return rows.map((row) => this.view(row));
  }

  async counts(tenantId: string): Promise<ExampleCounts> {
    const rows = await this.store.db.selectFrom('training_examples').select(['labels', 'source', 'text']).where('tenant_id', '=', tenantId).execute();
    const counts: ExampleCounts = { total: rows.length, without_text: 0, by_source: {}, by_category: {} };
    for (const row of rows) {
      if (row.text === null) counts.without_text += 1;
      counts.by_source[row.source] = (counts.by_source[row.source] ?? 0) + 1;
      for (const [category, value] of Object.entries(JSON.parse(row.labels) as Record<string, boolean>)) {
        const tally = (counts.by_category[category] ??= { positive: 0, negative: 0 });
        if (value) tally.positive += 1;
        else tally.negative += 1;
      }
    }
    return counts;
  }

  /** Every example with text, in a fixed order (what training and evaluation read). */
  async usable(tenantId: string): Promise<{ id: string; digest: string; text: string; labels: Record<string, boolean> }[]> {
    const rows = await this.store.db
      .selectFrom('training_examples')
      .select(['id', 'content_digest', 'text', 'labels'])
      .where('tenant_id', '=', tenantId)
      .where('text', 'is not', null)
      .orderBy('content_digest')
      .execute();
    return rows.map((row) => ({ id: row.id, digest: row.content_digest, text: row.text!, labels: JSON.parse(row.labels) as Record<string, boolean> }));
  }

  private async upsert(tx: Tx, example: { tenantId: string; text: string; labels: Record<string, boolean>; clauseIds: string[]; source: string; sourceRef: string; decidedBy: string; at: Date }): Promise<void> {
    const at = example.at.toISOString();
    const changes = {
      text: example.text,
      labels: JSON.stringify(sorted(example.labels)),
      clause_ids: JSON.stringify(example.clauseIds),
      source: example.source,
      source_ref: example.sourceRef,
      decided_by: example.decidedBy,
      decided_at: at,
    };
    await tx
      .insertInto('training_examples')
      .values({ id: newId('tex'), tenant_id: example.tenantId, content_digest: sha256Hex(example.text), created_at: at, ...changes })
      .onConflict((oc) => oc.columns(['tenant_id', 'content_digest']).doUpdateSet(changes))
      .execute();
  }

  private async find(db: Queryable, tenantId: string, id: string): Promise<TrainingExampleRow> {
    const row = await db.selectFrom('training_examples').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFound(`Training example ${id}`, 'id');
    return row;
  }

  private view(row: TrainingExampleRow): ExampleView {
    return {
      id: row.id,
      object: 'training.example',
      content_digest: row.content_digest,
      text: row.text,
      labels: JSON.parse(row.labels) as Record<string, boolean>,
      clause_ids: JSON.parse(row.clause_ids) as string[],
      source: row.source,
      source_ref: row.source_ref,
      decided_by: row.decided_by,
      decided_at: row.decided_at,
      held_out: this.heldOut(row.content_digest),
      created_at: row.created_at,
    };
  }
}

/**
 * A violation labels true the category the reviewer named; else the cited clauses' categories that
 * the case was opened for (a clause such as universal.2 spans self-harm to threats, and a threat is
 * not self-harm); else, with nothing alleged, every category of the cited clauses. The rest stay
 * unknown: a harassment finding says nothing about sexual content.
 */
function violationLabels(decided: ContentDecided): Record<string, boolean> {
  const known = (c: string) => (MODERATION_CATEGORIES as readonly string[]).includes(c);
  if (decided.category && known(decided.category)) return { [decided.category]: true };
  const cited = new Set(decided.clauseIds.flatMap((id) => decided.policy.clauses.find((c) => c.id === id)?.categories ?? []));
  const alleged = decided.allegedCategories.filter((c) => cited.has(c as never));
  return Object.fromEntries((alleged.length ? alleged : [...cited]).filter(known).map((c) => [c, true]));
}

/** "No violation" says the content breaks no clause: false for every category. */
function noViolationLabels(): Record<string, boolean> {
  return Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, false]));
}

function sorted(labels: Record<string, boolean>): Record<string, boolean> {
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
}
