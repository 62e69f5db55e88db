import type { AuditLog } from '../audit/index.ts';
import { type Clock, Conflict, Hooks, InvalidInput, NotFound, type PageRequest, type Sequenced, canonicalJson, sha256Hex } from '../common/index.ts';
import { type PolicyVersionRow, type Store, type TenantRow, type Tx, afterKey, isUniqueViolation, withTransaction } from '../db/index.ts';
import { bundledPolicies } from './bundled.ts';
import { type PolicyDiff, changelogKey, diffPolicies } from './diff.ts';
import { type PolicyDocument, validatePolicyDocument } from './document.ts';

export interface PolicyVersionSummary {
  version: string;
  name: string;
  title: string;
  effective_date: string;
  clauses: number;
  published_at: string;
  published_by: string;
  digest: string;
  current: boolean;
}

export interface StoredPolicy {
  summary: PolicyVersionSummary;
  document: PolicyDocument;
}

/**
 * Runs inside the transaction that publishes a version (after it is stored), so what it writes
 * (an outbox event, a re-review job) exists exactly when the version does. `previous` is the
 * version that was current before.
 */
export type PolicyPublishedHook = (tx: Tx, published: PolicyPublished) => Promise<void>;

export interface PolicyPublished {
  tenantId: string;
  document: PolicyDocument;
  previous: PolicyDocument | null;
  actor: string;
}

/** Each tenant's policy versions: the bundled ones it starts with and those it publishes. */
export class PolicyRegistry {
  /** Run in every publication's transaction (see PolicyPublishedHook). */
  readonly published = new Hooks<[tx: Tx, published: PolicyPublished]>();

  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly bundled: PolicyDocument[] = bundledPolicies(),
  ) {}

  /** Gives a new tenant every bundled version (used as a tenant-creation hook). */
  readonly seedTenant = async (tx: Tx, tenant: TenantRow): Promise<void> => {
    for (const document of this.bundled) {
      await tx
        .insertInto('policy_versions')
        .values(this.row(tenant.id, document, 'system'))
        .onConflict((oc) => oc.columns(['tenant_id', 'version']).doNothing())
        .execute();
    }
  };

  async list(tenantId: string): Promise<PolicyVersionSummary[]> {
    const rows = await this.store.db
      .selectFrom('policy_versions')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('seq')
      .execute();
    const currentSeq = rows.at(-1)?.seq;
    return rows.map((row) => summarize(row, row.seq === currentSeq));
  }

  /** Oldest first, a page at a time (cursor: seq); `current` marks the version in force. */
  async page(tenantId: string, page: PageRequest): Promise<Sequenced<PolicyVersionSummary>[]> {
    let query = this.store.db.selectFrom('policy_versions').selectAll().where('tenant_id', '=', tenantId);
    if (page.after) query = query.where(afterKey(['seq'], page.after));
    const [rows, current] = await Promise.all([query.orderBy('seq').limit(page.limit).execute(), this.currentRow(tenantId)]);
    return rows.map((row) => ({ seq: Number(row.seq), view: summarize(row, row.seq === current?.seq) }));
  }

  async get(tenantId: string, version: string): Promise<StoredPolicy> {
    const row = await this.store.db
      .selectFrom('policy_versions')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('version', '=', version)
      .executeTakeFirst();
    if (!row) throw new NotFound(`Policy version "${version}"`, 'version');
    const current = await this.currentRow(tenantId);
    return { summary: summarize(row, row.seq === current?.seq), document: JSON.parse(row.document) as PolicyDocument };
  }

  /** The version in force for a tenant: the one it published last. */
  async current(tenantId: string): Promise<StoredPolicy> {
    const row = await this.currentRow(tenantId);
    if (!row) throw new NotFound('A policy for this tenant');
    return { summary: summarize(row, true), document: JSON.parse(row.document) as PolicyDocument };
  }

  async diff(tenantId: string, from: string, to: string): Promise<PolicyDiff> {
    const [a, b] = await Promise.all([this.get(tenantId, from), this.get(tenantId, to)]);
    return diffPolicies(a.document, b.document);
  }

  /**
   * Validates and stores a new version for the tenant, which becomes its current one.
   * The version's changelog must add an entry to the current version's: publishing says what changed.
   */
  async publish(tenantId: string, input: unknown, actor: string): Promise<StoredPolicy> {
    const document = validatePolicyDocument(input);
    try {
      await withTransaction(this.store, async (tx) => {
        const previous = await this.assertNewChangelogEntry(tx, tenantId, document);
        await tx.insertInto('policy_versions').values(this.row(tenantId, document, actor)).execute();
        await this.published.run(tx, { tenantId, document, previous, actor });
        await this.audit.append(tx, {
          tenantId,
          actor,
          action: 'policy.published',
          target: document.version,
          payload: { name: document.name, version: document.version, digest: digestOf(document), changelog: document.changelog[0] },
        });
        await this.store.changes.record(tx, tenantId);
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new Conflict(`Policy version "${document.version}" already exists for this tenant.`, 'version');
      }
      throw error;
    }
    return this.get(tenantId, document.version);
  }

  /** Returns the version that is current until this one is stored. */
  private async assertNewChangelogEntry(tx: Tx, tenantId: string, document: PolicyDocument): Promise<PolicyDocument | null> {
    const current = await tx
      .selectFrom('policy_versions')
      .select('document')
      .where('tenant_id', '=', tenantId)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!current) return null;
    const previous = JSON.parse(current.document) as PolicyDocument;
    const known = new Set(previous.changelog.map(changelogKey));
    if (document.changelog.every((entry) => known.has(changelogKey(entry)))) {
      throw new InvalidInput('changelog: add an entry that says what this version changes.', 'changelog', 'changelog_required');
    }
    return previous;
  }

  private async currentRow(tenantId: string): Promise<PolicyVersionRow | undefined> {
    return this.store.db
      .selectFrom('policy_versions')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  private row(tenantId: string, document: PolicyDocument, actor: string) {
    return {
      tenant_id: tenantId,
      name: document.name,
      version: document.version,
      document: JSON.stringify(document),
      digest: digestOf(document),
      published_at: this.clock.now().toISOString(),
      published_by: actor,
    };
  }
}

function digestOf(document: PolicyDocument): string {
  return sha256Hex(canonicalJson(document));
}

function summarize(row: PolicyVersionRow, current: boolean): PolicyVersionSummary {
  const document = JSON.parse(row.document) as PolicyDocument;
  return {
    version: row.version,
    name: row.name,
    title: document.title,
    effective_date: document.effective_date,
    clauses: document.clauses.length,
    published_at: row.published_at,
    published_by: row.published_by,
    digest: row.digest,
    current,
  };
}
