import type { AuditLog } from '../audit/index.ts';
import { type Clock, Conflict, InvalidInput, NotFound, type PageRequest, WardenError, newId } from '../common/index.ts';
import { type ModelDeploymentRow, type Store, type TenantModelRow, type Tx, afterKey, withTransaction } from '../db/index.ts';
import type { CategoryScores } from '../detect/index.ts';
import { type AdapterWeights, DEFAULT_TRAIN_OPTIONS, TenantAdapter, type TrainOptions, trainAdapter, weightsDigest } from './adapter.ts';
import { type CategoryComparison, type Scorer, compare, isHeldOut, suggestThresholds } from './evaluation.ts';
import type { TrainingExamples } from './examples.ts';
import type { ShadowTallies, ShadowTally } from './shadow.ts';

/** The shared base model that tenant adapters correct. */
export interface BaseModel {
  /** Names the exact artefact: an adapter trained over another base is never served. */
  id: string;
  thresholds: CategoryScores;
  score: Scorer;
}

/**
 * Adapters parsed and kept in memory at once (least recently used dropped first). Measured: an adapter trained on
 * 8,292 dev examples labelled in every category has 147,824 features, 23 MB of stored JSON and ~38 MB parsed; one
 * trained on a few hundred examples is well under 1 MB. So at most 8 × ~40 MB in the worst case.
 */
export const MAX_LOADED_ADAPTERS = 8;
/** Default F1 a candidate may lose on a category before promotion needs an explicit override. */
export const DEFAULT_TOLERANCE = 0.02;
/** Training progress is written at most this often. */
const PROGRESS_EVERY_MS = 500;

export interface ModelView {
  id: string;
  object: 'model';
  status: string;
  base_model: string;
  progress: number;
  examples: number;
  card: ModelCard | null;
  error: string | null;
  created_by: string;
  created_at: string;
  finished_at: string | null;
}

export interface ModelCard {
  base_model: string;
  examples: { trained_on: number; held_out: number; by_category: Record<string, { positive: number; negative: number }> };
  options: Omit<TrainOptions, 'progress'>;
  /** Held-out slice, the base model against this one, at the thresholds in force when it was trained. */
  held_out: CategoryComparison[];
  weights_digest: string;
  features: number;
  training_ms: number;
}

export interface Deployment {
  object: 'model.deployment';
  /** Null: the base model alone. */
  active: string | null;
  shadow: string | null;
  previous: (string | null)[];
  tolerance: number;
}

export interface Comparison {
  object: 'model.comparison';
  model: string;
  /** The model served now (null: the base model). */
  current: string | null;
  held_out_examples: number;
  tolerance: number;
  categories: CategoryComparison[];
  /** Categories where the candidate's F1 falls by more than the tolerance: promotion needs an override. */
  worse: string[];
  shadow: ShadowTally;
}

/** What moderation serves for one tenant: the adapter in force and the one in shadow. */
export interface TenantModelRuntime {
  active: TenantAdapter | null;
  shadow: TenantAdapter | null;
}

export class PromotionBlocked extends WardenError {
  constructor(worse: string[], tolerance: number) {
    super(409, 'invalid_request_error', 'promotion_blocked', `The candidate's F1 falls by more than ${tolerance} on ${worse.join(', ')} (held-out slice); promote with "override": true to do it anyway.`, 'override');
  }
}

/**
 * Tenant models: trained from the tenant's examples over the base model, run in shadow beside the
 * served verdicts, compared on the tenant's held-out slice, promoted by an admin (audited, with the
 * comparison attached) and rolled back in one call.
 */
export class TenantModels {
  private readonly loaded = new Map<string, TenantAdapter>();
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly examples: TrainingExamples,
    private readonly base: BaseModel,
    private readonly shadowTallies: ShadowTallies,
    private readonly thresholdsOf: (tenantId: string) => Promise<CategoryScores>,
    private readonly options: TrainOptions = DEFAULT_TRAIN_OPTIONS,
  ) {}

  /** Starts training a model in the background; the answer is the model at 0% (poll `get` for progress). */
  async startTraining(tenantId: string, actor: string): Promise<ModelView> {
    const row = await this.createRow(tenantId, actor);
    const job = this.runTraining(row).finally(() => this.running.delete(job));
    this.running.add(job);
    return this.view(row);
  }

  /** Trains a model to the end (the CLI's `warden train`); `progress` hears the share done. */
  async train(tenantId: string, actor: string, progress?: (done: number) => void): Promise<ModelView> {
    const row = await this.createRow(tenantId, actor);
    await this.runTraining(row, progress);
    return this.get(tenantId, row.id);
  }

  /** Waits for background training jobs (shutdown, tests). */
  async drain(): Promise<void> {
    await Promise.all([...this.running]);
  }

  /** Jobs a stopped process left unfinished are marked failed: training again is one call and gives the same model. */
  async failInterrupted(): Promise<void> {
    await this.store.db
      .updateTable('tenant_models')
      .set({ status: 'failed', error: 'Interrupted: the process stopped while training. Train again.', finished_at: this.clock.now().toISOString() })
      .where('status', '=', 'training')
      .execute();
  }

  async list(tenantId: string, page: PageRequest): Promise<ModelView[]> {
    let query = this.store.db.selectFrom('tenant_models').selectAll().where('tenant_id', '=', tenantId);
    if (page.after) query = query.where(afterKey(['created_at', 'id'], page.after));
    return (await query.orderBy('created_at').orderBy('id').limit(page.limit).execute()).map((row) => this.view(row));
  }

  async get(tenantId: string, id: string): Promise<ModelView> {
    return this.view(await this.row(tenantId, id));
  }

  async deployment(tenantId: string): Promise<Deployment> {
    return deploymentView(await this.deploymentRow(this.store.db, tenantId));
  }

  /** The tenant's held-out slice: the served model against the candidate, and the candidate's shadow record. */
  async comparison(tenantId: string, id: string): Promise<Comparison> {
    const candidate = await this.readyAdapter(tenantId, id);
    const deployment = await this.deploymentRow(this.store.db, tenantId);
    const current = deployment.active_model_id ? await this.readyAdapter(tenantId, deployment.active_model_id) : null;
    const heldOut = (await this.examples.usable(tenantId)).filter((e) => isHeldOut(e.digest));
    const thresholds = await this.thresholdsOf(tenantId);
    const categories = compare(heldOut, this.scorer(current), this.scorer(candidate), thresholds);
    const worse = categories.filter((c) => c.f1_change < -deployment.tolerance).map((c) => c.category);
    return {
      object: 'model.comparison',
      model: id,
      current: deployment.active_model_id,
      held_out_examples: heldOut.length,
      tolerance: deployment.tolerance,
      categories,
      worse,
      shadow: await this.shadowTallies.read(tenantId, id),
    };
  }

  /** Serves the model from now on; refused (409) when it is worse beyond the tolerance, unless overridden. */
  async promote(tenantId: string, id: string, input: { override?: boolean; reason?: string }, actor: string): Promise<Deployment> {
    const comparison = await this.comparison(tenantId, id);
    if (comparison.worse.length && !input.override) throw new PromotionBlocked(comparison.worse, comparison.tolerance);
    return this.changeDeployment(tenantId, actor, 'model.promoted', id, (row) => {
      if (row.active_model_id === id) throw new Conflict(`Model ${id} is already served.`, 'id');
      return {
        active_model_id: id,
        shadow_model_id: row.shadow_model_id === id ? null : row.shadow_model_id,
        previous_model_ids: JSON.stringify([...previousOf(row), row.active_model_id]),
      };
    }, { comparison, override: input.override ?? false, reason: input.reason ?? null });
  }

  /** Serves the model served before the last promotion again (the base model when there was none). */
  async rollback(tenantId: string, actor: string): Promise<Deployment> {
    return this.changeDeployment(tenantId, actor, 'model.rolled_back', tenantId, (row) => {
      const previous = previousOf(row);
      if (!previous.length) throw new Conflict('Nothing to roll back to: no model was promoted.', null);
      return { active_model_id: previous.at(-1)!, previous_model_ids: JSON.stringify(previous.slice(0, -1)) };
    });
  }

  /** Runs a ready model in shadow (or none). */
  async setShadow(tenantId: string, id: string | null, actor: string): Promise<Deployment> {
    if (id) await this.readyAdapter(tenantId, id);
    return this.changeDeployment(tenantId, actor, 'model.shadow_set', id ?? tenantId, () => ({ shadow_model_id: id }));
  }

  async setTolerance(tenantId: string, tolerance: number, actor: string): Promise<Deployment> {
    return this.changeDeployment(tenantId, actor, 'model.tolerance_set', tenantId, () => ({ tolerance }));
  }

  /** Thresholds per category from the tenant's labelled examples, scored as the tenant is served now. */
  async thresholdSuggestions(tenantId: string) {
    const deployment = await this.deploymentRow(this.store.db, tenantId);
    const served = deployment.active_model_id ? await this.readyAdapter(tenantId, deployment.active_model_id) : null;
    const examples = await this.examples.usable(tenantId);
    return { object: 'model.threshold_suggestions' as const, model: deployment.active_model_id, examples: examples.length, categories: suggestThresholds(examples, this.scorer(served), await this.thresholdsOf(tenantId)) };
  }

  /** What moderation serves the tenant (read when its moderation cache is filled; changes drop that cache). */
  async runtime(tenantId: string): Promise<TenantModelRuntime> {
    const row = await this.store.db.selectFrom('model_deployments').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
    if (!row || (!row.active_model_id && !row.shadow_model_id)) return { active: null, shadow: null };
    return { active: await this.servable(tenantId, row.active_model_id), shadow: await this.servable(tenantId, row.shadow_model_id) };
  }

  /** A model moderation can serve; one it cannot (trained over another base model) is skipped with a warning, never an error per request. */
  private async servable(tenantId: string, id: string | null): Promise<TenantAdapter | null> {
    if (!id) return null;
    try {
      return await this.readyAdapter(tenantId, id);
    } catch (error) {
      process.emitWarning(`tenant ${tenantId}: model ${id} is not served: ${(error as Error).message}`);
      return null;
    }
  }

  private async createRow(tenantId: string, actor: string): Promise<TenantModelRow> {
    const examples = await this.examples.usable(tenantId);
    const training = examples.filter((e) => !isHeldOut(e.digest));
    if (!training.length) throw new InvalidInput('This tenant has no labelled examples to train on yet: decide review cases or upload examples first.', null, 'no_training_examples');
    const row: TenantModelRow = {
      id: newId('tmod'),
      tenant_id: tenantId,
      status: 'training',
      base_model: this.base.id,
      progress: 0,
      examples: training.length,
      card: null,
      weights: null,
      error: null,
      created_by: actor,
      created_at: this.clock.now().toISOString(),
      finished_at: null,
    };
    await withTransaction(this.store, async (tx) => {
      await tx.insertInto('tenant_models').values(row).execute();
      await this.audit.append(tx, { tenantId, actor, action: 'model.training_started', target: row.id, payload: { examples: training.length, base_model: this.base.id } });
    });
    return row;
  }

  private async runTraining(row: TenantModelRow, progress?: (done: number) => void): Promise<void> {
    const started = performance.now();
    try {
      const examples = await this.examples.usable(row.tenant_id);
      const training = examples.filter((e) => !isHeldOut(e.digest));
      const heldOut = examples.filter((e) => isHeldOut(e.digest));
      let written = 0;
      const weights = await trainAdapter(training, this.base.score, this.base.thresholds, this.base.id, {
        ...this.options,
        progress: async (done) => {
          progress?.(done);
          const now = performance.now();
          if (now - written < PROGRESS_EVERY_MS && done < 1) return;
          written = now;
          await this.store.db.updateTable('tenant_models').set({ progress: Math.min(0.99, done) }).where('id', '=', row.id).execute();
        },
      });
      const candidate = new TenantAdapter(row.id, weights);
      const card = this.card(weights, training, heldOut.length, compare(heldOut, this.scorer(null), this.scorer(candidate), await this.thresholdsOf(row.tenant_id)), performance.now() - started);
      await this.finish(row, weights, card);
    } catch (error) {
      await this.store.db
        .updateTable('tenant_models')
        .set({ status: 'failed', error: (error as Error).message, finished_at: this.clock.now().toISOString() })
        .where('id', '=', row.id)
        .execute();
    }
  }

  /** A trained model is stored and put in shadow at once, in one transaction. */
  private async finish(row: TenantModelRow, weights: AdapterWeights, card: ModelCard): Promise<void> {
    const finishedAt = this.clock.now().toISOString();
    await withTransaction(this.store, async (tx) => {
      await tx
        .updateTable('tenant_models')
        .set({ status: 'ready', progress: 1, weights: JSON.stringify(weights), card: JSON.stringify(card), finished_at: finishedAt })
        .where('id', '=', row.id)
        .execute();
      await this.writeDeployment(tx, row.tenant_id, row.created_by, { shadow_model_id: row.id });
      await this.audit.append(tx, { tenantId: row.tenant_id, actor: row.created_by, action: 'model.trained', target: row.id, payload: { weights_digest: card.weights_digest, examples: card.examples.trained_on } });
    });
  }

  private card(weights: AdapterWeights, training: { labels: Record<string, boolean> }[], heldOut: number, comparison: CategoryComparison[], ms: number): ModelCard {
    const byCategory: ModelCard['examples']['by_category'] = {};
    for (const { labels } of training) {
      for (const [category, value] of Object.entries(labels)) {
        const tally = (byCategory[category] ??= { positive: 0, negative: 0 });
        if (value) tally.positive += 1;
        else tally.negative += 1;
      }
    }
    const { progress: _progress, ...options } = this.options;
    return {
      base_model: weights.base_model,
      examples: { trained_on: training.length, held_out: heldOut, by_category: byCategory },
      options,
      held_out: comparison,
      weights_digest: weightsDigest(weights),
      features: Object.keys(weights.features).length,
      training_ms: Math.round(ms),
    };
  }

  private async changeDeployment(
    tenantId: string,
    actor: string,
    action: string,
    target: string,
    change: (row: ModelDeploymentRow) => Partial<ModelDeploymentRow>,
    payload: Record<string, unknown> = {},
  ): Promise<Deployment> {
    return withTransaction(this.store, async (tx) => {
      const before = await this.deploymentRow(tx, tenantId);
      const after = await this.writeDeployment(tx, tenantId, actor, change(before));
      await this.audit.append(tx, { tenantId, actor, action, target, payload: { before: deploymentView(before), after: deploymentView(after), ...payload } });
      return deploymentView(after);
    });
  }

  /** Upserts the tenant's deployment and tells every process's moderation cache (ChangeFeed). */
  private async writeDeployment(tx: Tx, tenantId: string, actor: string, change: Partial<ModelDeploymentRow>): Promise<ModelDeploymentRow> {
    const row = { ...(await this.deploymentRow(tx, tenantId)), ...change, updated_at: this.clock.now().toISOString(), updated_by: actor };
    const { tenant_id: _tenant, ...values } = row;
    await tx.insertInto('model_deployments').values(row).onConflict((oc) => oc.column('tenant_id').doUpdateSet(values)).execute();
    await this.store.changes.record(tx, tenantId);
    return row;
  }

  private async deploymentRow(db: Store['db'] | Tx, tenantId: string): Promise<ModelDeploymentRow> {
    const row = await db.selectFrom('model_deployments').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
    return row ?? { tenant_id: tenantId, active_model_id: null, shadow_model_id: null, previous_model_ids: '[]', tolerance: DEFAULT_TOLERANCE, updated_at: '', updated_by: '' };
  }

  private async row(tenantId: string, id: string): Promise<TenantModelRow> {
    const row = await this.store.db.selectFrom('tenant_models').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFound(`Model ${id}`, 'id');
    return row;
  }

  /** A ready model's adapter, from the LRU or parsed from its row. */
  private async readyAdapter(tenantId: string, id: string): Promise<TenantAdapter> {
    const cached = this.loaded.get(id);
    if (cached) {
      this.loaded.delete(id);
      this.loaded.set(id, cached);
      return cached;
    }
    const row = await this.row(tenantId, id);
    if (row.status !== 'ready' || !row.weights) throw new Conflict(`Model ${id} is ${row.status}, not ready.`, 'id');
    if (row.base_model !== this.base.id) throw new Conflict(`Model ${id} was trained over base model ${row.base_model}, not the one this server runs (${this.base.id}): train it again.`, 'id');
    const adapter = new TenantAdapter(id, JSON.parse(row.weights) as AdapterWeights);
    this.loaded.set(id, adapter);
    if (this.loaded.size > MAX_LOADED_ADAPTERS) this.loaded.delete(this.loaded.keys().next().value!);
    return adapter;
  }

  /** Scores as a tenant would be served by this adapter (null: the base model alone). */
  private scorer(adapter: TenantAdapter | null): Scorer {
    return adapter ? (text) => adapter.adjust(text, this.base.score(text)) : this.base.score;
  }

  private view(row: TenantModelRow): ModelView {
    return {
      id: row.id,
      object: 'model',
      status: row.status,
      base_model: row.base_model,
      progress: row.progress,
      examples: row.examples,
      card: row.card ? (JSON.parse(row.card) as ModelCard) : null,
      error: row.error,
      created_by: row.created_by,
      created_at: row.created_at,
      finished_at: row.finished_at,
    };
  }
}

function previousOf(row: ModelDeploymentRow): (string | null)[] {
  return JSON.parse(row.previous_model_ids) as (string | null)[];
}

function deploymentView(row: ModelDeploymentRow): Deployment {
  return { object: 'model.deployment', active: row.active_model_id, shadow: row.shadow_model_id, previous: previousOf(row), tolerance: row.tolerance };
}
