import type { AuditLog } from '../audit/index.ts';
import { type Clock, Conflict, InvalidInput, NotFound, type PageRequest, type Sequenced, TenantCache, canonicalJson, sha256Hex } from '../common/index.ts';
import { type RuleVersionRow, type Store, afterKey, isUniqueViolation, withTransaction } from '../db/index.ts';
import { CompiledRules, type Evaluation, type RuleMatch, type RuleSubject, effectsOf } from './compile.ts';
import { type RuleDocument, validateRuleDocument } from './document.ts';
import { WindowRegistry } from './windows.ts';

export interface RuleVersionSummary {
  version: string;
  summary: string;
  rules: number;
  digest: string;
  created_at: string;
  created_by: string;
  live: boolean;
  shadow: boolean;
}

export interface StoredRules {
  summary: RuleVersionSummary;
  document: RuleDocument;
}

export interface Deployment {
  live: string | null;
  shadow: string | null;
}

/** A tenant's rules as the hot path runs them: the live version and the one in shadow, compiled. */
export class TenantRules {
  constructor(
    readonly live: CompiledRules | null,
    readonly shadow: CompiledRules | null,
  ) {}

  get empty(): boolean {
    return !this.live?.size && !this.shadow?.size;
  }

  /** Whether any rule in force reads the account's age or standing (which the caller must then look up). */
  get needsAccount(): boolean {
    return (this.live?.needsAccount ?? false) || (this.shadow?.needsAccount ?? false);
  }

  /** Counts the subject in every window once, then matches both versions; only the live version's live rules act. */
  evaluate(subject: RuleSubject): Evaluation {
    const seen = new Set<string>();
    this.live?.observe(subject, seen);
    this.shadow?.observe(subject, seen);
    const matches: RuleMatch[] = [...(this.live?.match(subject) ?? []), ...(this.shadow?.match(subject) ?? [])];
    return { matches, effects: effectsOf(matches, subject.scores) };
  }
}

const NO_RULES = new TenantRules(null, null);

/**
 * Each tenant's rule versions (stored, never changed), which one is live and which runs in shadow.
 * Creating a version changes nothing that runs; publishing makes it live; shadowing runs it beside
 * the live one with every action only recorded. All three are audited.
 */
export class RuleRegistry {
  /** Each tenant's compiled deployment; dropped when it changes here or, through the change feed, elsewhere. */
  private readonly compiled = new TenantCache<TenantRules>(async (tenantId) => this.compile(tenantId, await this.deployment(tenantId)));
  private readonly windows = new Map<string, WindowRegistry>();

  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  /** Oldest first, a page at a time (cursor: seq). */
  async list(tenantId: string, page: PageRequest): Promise<Sequenced<RuleVersionSummary>[]> {
    let query = this.store.db.selectFrom('rule_versions').selectAll().where('tenant_id', '=', tenantId);
    if (page.after) query = query.where(afterKey(['seq'], page.after));
    const [rows, deployment] = await Promise.all([query.orderBy('seq').limit(page.limit).execute(), this.deployment(tenantId)]);
    return rows.map((row) => ({ seq: Number(row.seq), view: summarize(row, deployment) }));
  }

  async get(tenantId: string, version: string): Promise<StoredRules> {
    const [row, deployment] = await Promise.all([this.row(tenantId, version), this.deployment(tenantId)]);
    return { summary: summarize(row, deployment), document: JSON.parse(row.document) as RuleDocument };
  }

  /** Stores a new version; nothing runs it until it is published or shadowed. */
  async create(tenantId: string, input: unknown, actor: string): Promise<StoredRules> {
    const document = validateRuleDocument(input);
    const digest = sha256Hex(canonicalJson(document));
    try {
      await this.store.db.transaction().execute(async (tx) => {
        await tx
          .insertInto('rule_versions')
          .values({ tenant_id: tenantId, version: document.version, document: JSON.stringify(document), digest, created_at: this.clock.now().toISOString(), created_by: actor })
          .execute();
        await this.audit.append(tx, { tenantId, actor, action: 'rules.version_created', target: document.version, payload: { version: document.version, digest, summary: document.summary, rules: document.rules.length } });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new Conflict(`Rule version "${document.version}" already exists for this tenant.`, 'version');
      throw error;
    }
    return this.get(tenantId, document.version);
  }

  /** Makes a stored version the live one (and stops shadowing it if it was). */
  async publish(tenantId: string, version: string, actor: string): Promise<Deployment> {
    return this.deploy(tenantId, version, actor, (current) => ({ live: version, shadow: current.shadow === version ? null : current.shadow }), 'rules.published');
  }

  /** Runs a stored version in shadow beside the live one, or stops shadowing (`null`). */
  async setShadow(tenantId: string, version: string | null, actor: string): Promise<Deployment> {
    return this.deploy(tenantId, version, actor, (current) => ({ live: current.live, shadow: version }), version ? 'rules.shadow_started' : 'rules.shadow_stopped');
  }

  async deployment(tenantId: string): Promise<Deployment> {
    const row = await this.store.db.selectFrom('rule_deployments').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
    return { live: row?.live_version ?? null, shadow: row?.shadow_version ?? null };
  }

  /**
   * The tenant's compiled rules, from this process's cache: judging an item reads no database. A
   * deployment change bumps the tenant's cache generation, which drops the entry here at once and
   * in other processes within the change feed's poll (see `invalidate`).
   */
  rulesFor(tenantId: string): Promise<TenantRules> {
    return this.compiled.get(tenantId);
  }

  /** The tenant's compiled rules when they are in memory, without a promise; undefined until rulesFor has loaded them. */
  loadedRulesFor(tenantId: string): TenantRules | undefined {
    return this.compiled.peek(tenantId);
  }

  /** Drops a tenant's compiled rules (null: every tenant's); the next item compiles them again, keeping their windows. */
  invalidate(tenantId: string | null): void {
    this.compiled.invalidate(tenantId);
  }

  private async compile(tenantId: string, deployment: Deployment): Promise<TenantRules> {
    if (!deployment.live && !deployment.shadow) return NO_RULES;
    let windows = this.windows.get(tenantId);
    if (!windows) {
      windows = new WindowRegistry();
      this.windows.set(tenantId, windows);
    }
    const load = async (version: string | null, shadow: boolean) => (version ? new CompiledRules((await this.get(tenantId, version)).document, windows, shadow) : null);
    const rules = new TenantRules(await load(deployment.live, false), await load(deployment.shadow, true));
    windows.retain(new Set([...(rules.live?.windowSignatures ?? []), ...(rules.shadow?.windowSignatures ?? [])]));
    return rules;
  }

  private async deploy(tenantId: string, version: string | null, actor: string, next: (current: Deployment) => Deployment, action: string): Promise<Deployment> {
    const now = this.clock.now().toISOString();
    const deployment = await withTransaction(this.store, async (tx) => {
      if (version !== null) {
        const exists = await tx.selectFrom('rule_versions').select('seq').where('tenant_id', '=', tenantId).where('version', '=', version).executeTakeFirst();
        if (!exists) throw new NotFound(`Rule version "${version}"`, 'version');
      }
      const row = await tx.selectFrom('rule_deployments').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
      const current = { live: row?.live_version ?? null, shadow: row?.shadow_version ?? null };
      const wanted = next(current);
      if (wanted.live !== null && wanted.live === wanted.shadow) throw new InvalidInput(`Rule version "${wanted.live}" is live; shadow another version.`, 'version');
      const values = { live_version: wanted.live, shadow_version: wanted.shadow, updated_at: now, updated_by: actor };
      if (row) await tx.updateTable('rule_deployments').set(values).where('tenant_id', '=', tenantId).execute();
      else await tx.insertInto('rule_deployments').values({ tenant_id: tenantId, ...values }).execute();
      await this.audit.append(tx, { tenantId, actor, action, target: version ?? current.shadow ?? '', payload: { before: current, after: wanted } });
      await this.store.changes.record(tx, tenantId);
      return wanted;
    });
    return deployment;
  }

  private async row(tenantId: string, version: string): Promise<RuleVersionRow> {
    const row = await this.store.db.selectFrom('rule_versions').selectAll().where('tenant_id', '=', tenantId).where('version', '=', version).executeTakeFirst();
    if (!row) throw new NotFound(`Rule version "${version}"`, 'version');
    return row;
  }
}

function summarize(row: RuleVersionRow, deployment: Deployment): RuleVersionSummary {
  const document = JSON.parse(row.document) as RuleDocument;
  return {
    version: row.version,
    summary: document.summary,
    rules: document.rules.length,
    digest: row.digest,
    created_at: row.created_at,
    created_by: row.created_by,
    live: deployment.live === row.version,
    shadow: deployment.shadow === row.version,
  };
}
