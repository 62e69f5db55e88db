import { Conflict, type PageRequest, type Sequenced, TenantCache, canonicalJson, sha256Hex } from '../common/index.ts';
import { afterKey, isUniqueViolation, withTransaction } from '../db/index.ts';
import type { EnforceContext } from './context.ts';
import { type EnforcementPolicy, bundledEnforcementPolicy, validateEnforcementPolicy } from './enforcement-policy.ts';

export interface StoredEnforcementPolicy {
  version: string;
  /** `bundled` until the tenant publishes its own version. */
  source: 'bundled' | 'published';
  published_at: string | null;
  published_by: string | null;
  digest: string;
  current: boolean;
  document: EnforcementPolicy;
}

/** Each tenant's enforcement policy versions; the last one published is in force. */
export class EnforcementPolicies {
  /** The version in force per tenant, kept until the tenant publishes another (in this process or another). */
  private readonly inForce = new TenantCache((tenantId) => this.read(tenantId));

  constructor(
    private readonly context: EnforceContext,
    private readonly bundled: EnforcementPolicy = bundledEnforcementPolicy(),
  ) {
    context.store.changes.changed.subscribe((tenantId) => this.inForce.invalidate(tenantId));
  }

  /** The version in force: the last one the tenant published, else the bundled one. */
  async current(tenantId: string): Promise<StoredEnforcementPolicy> {
    return this.inForce.get(tenantId);
  }

  private async read(tenantId: string): Promise<StoredEnforcementPolicy> {
    const row = await this.context.store.db
      .selectFrom('enforcement_policies')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!row) return this.bundledVersion(true);
    return {
      version: row.version,
      source: 'published',
      published_at: row.published_at,
      published_by: row.published_by,
      digest: row.digest,
      current: true,
      document: JSON.parse(row.document) as EnforcementPolicy,
    };
  }

  /**
   * Oldest first, a page at a time (cursor: seq): the bundled version (sequence 0) first, then the published ones;
   * `current` marks the one in force (the last published, or the bundled one while none is).
   */
  async list(tenantId: string, page: PageRequest): Promise<Sequenced<StoredEnforcementPolicy>[]> {
    const db = this.context.store.db;
    const after = page.after?.[0];
    let query = db.selectFrom('enforcement_policies').selectAll().where('tenant_id', '=', tenantId);
    if (page.after) query = query.where(afterKey(['seq'], page.after));
    const [rows, last] = await Promise.all([
      query.orderBy('seq').limit(page.limit).execute(),
      db.selectFrom('enforcement_policies').select('seq').where('tenant_id', '=', tenantId).orderBy('seq', 'desc').limit(1).executeTakeFirst(),
    ]);
    const published = rows.map((row) => ({
      seq: Number(row.seq),
      view: {
        version: row.version,
        source: 'published' as const,
        published_at: row.published_at,
        published_by: row.published_by,
        digest: row.digest,
        current: row.seq === last?.seq,
        document: JSON.parse(row.document) as EnforcementPolicy,
      },
    }));
    const bundled = after === undefined ? [{ seq: BUNDLED_SEQ, view: this.bundledVersion(last === undefined) }] : [];
    return [...bundled, ...published].slice(0, page.limit);
  }

  async publish(tenantId: string, input: unknown, actor: string): Promise<StoredEnforcementPolicy> {
    const document = validateEnforcementPolicy(input);
    if (document.version === this.bundled.version) throw versionTaken(document.version);
    try {
      await withTransaction(this.context.store, async (tx) => {
        await tx
          .insertInto('enforcement_policies')
          .values({
            tenant_id: tenantId,
            version: document.version,
            document: JSON.stringify(document),
            digest: digestOf(document),
            published_at: this.context.clock.now().toISOString(),
            published_by: actor,
          })
          .execute();
        await this.context.audit.append(tx, {
          tenantId,
          actor,
          action: 'enforcement_policy.published',
          target: document.version,
          payload: { version: document.version, digest: digestOf(document) },
        });
        await this.context.store.changes.record(tx, tenantId);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw versionTaken(document.version);
      throw error;
    }
    return this.current(tenantId);
  }

  private bundledVersion(current: boolean): StoredEnforcementPolicy {
    const document = this.bundled;
    return { version: document.version, source: 'bundled', published_at: null, published_by: null, digest: digestOf(document), current, document };
  }
}

/** The bundled version's place in the list: before every published one (sequences start at 1). */
const BUNDLED_SEQ = 0;

function versionTaken(version: string): Conflict {
  return new Conflict(`Enforcement policy version "${version}" already exists for this tenant.`, 'version');
}

function digestOf(document: EnforcementPolicy): string {
  return sha256Hex(canonicalJson(document));
}
