import { NotFound } from '../common/index.ts';
import type { Db } from '../db/index.ts';
import type { DecidedBy, JudgeSummary, ModerationResult } from '../moderation/index.ts';

/** A moderation the judge saw, as GET /v1/moderations/{id} shows it. */
export interface JudgedModerationView {
  object: 'moderation.judgement';
  id: string;
  /** `pending` while any item waits for a background judgement. */
  status: 'pending' | 'complete';
  /** The items the judge was asked about (others were decided by the local model alone and are not kept). */
  results: { index: number; status: JudgeSummary['status']; mode: JudgeSummary['mode']; decided_by: DecidedBy; judged_at: string | null; result: ModerationResult }[];
}

/**
 * What the judge made of a moderation: each judged item's result (the judge's once delivered). Only
 * moderations the judge was asked about are kept, and only as results (never their text).
 */
export async function judgedModeration(db: Db, tenantId: string, id: string): Promise<JudgedModerationView> {
  const rows = await db.selectFrom('judge_verdicts').selectAll().where('tenant_id', '=', tenantId).where('moderation_id', '=', id).orderBy('item_index').execute();
  if (rows.length === 0) throw new NotFound(`Moderation "${id}" (only moderations the judge saw are kept)`, 'id');
  return {
    object: 'moderation.judgement',
    id,
    status: rows.some((r) => r.status === 'pending') ? 'pending' : 'complete',
        // The columns hold only what the judge wrote from these unions (see JudgeVerdictsTable).
    results: rows.map((r) => ({
      index: r.item_index,
      status: r.status as JudgeSummary['status'],
      mode: r.mode as JudgeSummary['mode'],
      decided_by: r.decided_by as DecidedBy,
      judged_at: r.judged_at,
      result: JSON.parse(r.result) as ModerationResult,
    })),
  };
}
