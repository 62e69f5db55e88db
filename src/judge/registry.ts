import type { AuditLog } from '../audit/index.ts';
import { type Clock, Conflict, InvalidInput, NotFound, TenantCache, newId } from '../common/index.ts';
import { type JudgeRow, type Store, type Tx, withTransaction } from '../db/index.ts';
import { type Resolver, refusedHost } from '../notify/index.ts';
import type { PolicyDocument } from '../policy/index.ts';
import type { SecretBox } from './secrets.ts';
import { type JudgeInput, type JudgeReplace, type JudgeSettings, judgeSettingsSchema } from './settings.ts';
import { TEMPLATE_VERSION, judgedClauses } from './template.ts';

/** A judge as the API shows it: never its API key. */
export interface JudgeView extends JudgeSettings {
  object: 'judge';
  id: string;
  name: string;
  api_key: { source: 'encrypted' | 'env' | 'none'; env: string | null };
  template_version: string;
  created_at: string;
  updated_at: string;
}

/** A stored judge, ready for the cascade. */
export interface StoredJudge {
  id: string;
  tenantId: string;
  name: string;
  settings: JudgeSettings;
  /** Changes with every edit: runtime state keyed by it starts afresh. */
  updatedAt: string;
  /** The API key now: opened from its ciphertext, or read from its environment variable at call time. */
  apiKey(): { ok: true; key: string | null } | { ok: false; message: string };
}

export interface JudgeRegistryOptions {
  /** The operator's consent that judges may reach loopback and private addresses (WARDEN_JUDGE_ALLOW_PRIVATE=1); each judge must opt in too. */
  allowPrivateNetworks: boolean;
  resolve: Resolver;
}

/** Each tenant's judges, stored as data and audited; the enabled one is cached per tenant for the request path. */
export class JudgeRegistry {
  private readonly active: TenantCache<StoredJudge | null>;

  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly secrets: SecretBox,
    private readonly policy: (tenantId: string) => Promise<PolicyDocument>,
    readonly options: JudgeRegistryOptions,
  ) {
    this.active = new TenantCache((tenantId) => this.loadActive(tenantId));
  }

  /** The tenant's enabled judge, or null; from cache (no database read once loaded). */
  enabled(tenantId: string): Promise<StoredJudge | null> {
    return this.active.get(tenantId);
  }

  /** What enabled() would answer, when it is in memory (null: no judge); undefined until it has been loaded. */
  loadedEnabled(tenantId: string): StoredJudge | null | undefined {
    return this.active.peek(tenantId);
  }

  invalidate(tenantId: string | null): void {
    this.active.invalidate(tenantId);
  }

  async list(tenantId: string): Promise<JudgeView[]> {
    const rows = await this.store.db.selectFrom('judges').selectAll().where('tenant_id', '=', tenantId).orderBy('name').execute();
    return rows.map(view);
  }

  async get(tenantId: string, name: string): Promise<JudgeView> {
    return view(await this.row(tenantId, name));
  }

  /** The stored judge by name, enabled or not (for `warden eval --judge`). */
  async stored(tenantId: string, name: string): Promise<StoredJudge> {
    return this.toStored(await this.row(tenantId, name));
  }

  /** A stored judge by id (the background worker's look-up), or null once deleted. */
  async byId(tenantId: string, id: string): Promise<StoredJudge | null> {
    const row = await this.store.db.selectFrom('judges').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return row ? this.toStored(row) : null;
  }

  async create(tenantId: string, input: JudgeInput, actor: string): Promise<JudgeView> {
    const { name, api_key, api_key_env, ...rest } = input;
    const settings = await this.checked(tenantId, rest);
    const now = this.clock.now().toISOString();
    const row: JudgeRow = {
      id: newId('jdg'),
      tenant_id: tenantId,
      name,
      config: JSON.stringify(settings),
      api_key_ciphertext: api_key ? this.secrets.seal(api_key, keyContext(tenantId, name)) : null,
      api_key_env: api_key_env ?? null,
      enabled: settings.enabled ? 1 : 0,
      created_at: now,
      created_by: actor,
      updated_at: now,
      updated_by: actor,
    };
    await withTransaction(this.store, async (tx) => {
      if (await tx.selectFrom('judges').select('id').where('tenant_id', '=', tenantId).where('name', '=', name).executeTakeFirst()) {
        throw new Conflict(`A judge named "${name}" exists; change it with PUT /v1/judges/${name}.`, 'name');
      }
      await this.assertOneEnabled(tx, tenantId, row);
      await tx.insertInto('judges').values(row).execute();
      await this.audit.append(tx, { tenantId, actor, action: 'judge.created', target: name, payload: auditPayload(row, settings) });
      await this.store.changes.record(tx, tenantId);
    }, { retryUniqueViolation: true });
    return view(row);
  }

  /** Replaces the settings; an API key left out (neither api_key nor api_key_env) is kept, `null` removes it. */
  async replace(tenantId: string, name: string, input: JudgeReplace, actor: string): Promise<JudgeView> {
    const { api_key, api_key_env, ...rest } = input;
    const settings = await this.checked(tenantId, rest);
    let updated: JudgeRow | undefined;
    await withTransaction(this.store, async (tx) => {
      const before = await this.row(tenantId, name, tx);
      const keyGiven = api_key !== undefined || api_key_env !== undefined;
      updated = {
        ...before,
        config: JSON.stringify(settings),
        api_key_ciphertext: keyGiven ? (api_key ? this.secrets.seal(api_key, keyContext(tenantId, name)) : null) : before.api_key_ciphertext,
        api_key_env: keyGiven ? (api_key_env ?? null) : before.api_key_env,
        enabled: settings.enabled ? 1 : 0,
        updated_at: this.clock.now().toISOString(),
        updated_by: actor,
      };
      await this.assertOneEnabled(tx, tenantId, updated);
      const { id, ...fields } = updated;
      await tx.updateTable('judges').set(fields).where('id', '=', id).where('tenant_id', '=', tenantId).execute();
      await this.audit.append(tx, { tenantId, actor, action: 'judge.updated', target: name, payload: auditPayload(updated, settings) });
      await this.store.changes.record(tx, tenantId);
    });
    return view(updated!);
  }

  async delete(tenantId: string, name: string, actor: string): Promise<void> {
    await withTransaction(this.store, async (tx) => {
      const row = await this.row(tenantId, name, tx);
      await tx.deleteFrom('judges').where('id', '=', row.id).where('tenant_id', '=', tenantId).execute();
      await this.audit.append(tx, { tenantId, actor, action: 'judge.deleted', target: name, payload: { id: row.id } });
      await this.store.changes.record(tx, tenantId);
    });
  }

  private async row(tenantId: string, name: string, tx: Tx | Store['db'] = this.store.db): Promise<JudgeRow> {
    const row = await tx.selectFrom('judges').selectAll().where('tenant_id', '=', tenantId).where('name', '=', name).executeTakeFirst();
    if (!row) throw new NotFound(`Judge "${name}"`, 'name');
    return row;
  }

  private async assertOneEnabled(tx: Tx, tenantId: string, row: JudgeRow): Promise<void> {
    if (!row.enabled) return;
    const other = await tx.selectFrom('judges').select('name').where('tenant_id', '=', tenantId).where('enabled', '=', 1).where('id', '<>', row.id).executeTakeFirst();
    if (other) throw new Conflict(`Judge "${other.name}" is enabled; a tenant's moderations use one judge. Disable it first (enabled: false).`, 'enabled');
  }

  /** The settings with defaults, checked against the address guard and the tenant's current policy. */
  private async checked(tenantId: string, input: unknown): Promise<JudgeSettings> {
    const settings = judgeSettingsSchema.parse(input);
    await this.checkUrl(settings);
    const document = await this.policy(tenantId);
    const known = new Set(document.clauses.map((c) => c.id));
    settings.clauses?.forEach((id, i) => {
      if (!known.has(id)) throw new InvalidInput(`clauses[${i}]: "${id}" is not a clause of policy version ${document.version}.`, `clauses[${i}]`, 'unknown_clause');
    });
    const judged = new Set(judgedClauses(document, settings).map((c) => c.id));
    if (judged.size === 0) throw new InvalidInput('The judge would judge no clause of the current policy: check clauses, categories and cascade modes.', 'clauses');
    for (const id of Object.keys(settings.examples)) {
      if (!judged.has(id)) throw new InvalidInput(`examples.${id}: not a clause this judge judges.`, `examples.${id}`, 'unknown_clause');
    }
    return settings;
  }

  private async checkUrl(settings: JudgeSettings): Promise<void> {
    let url: URL;
    try {
      url = new URL(settings.base_url);
    } catch {
      throw new InvalidInput('base_url: not an absolute URL', 'base_url');
    }
    const privateAllowed = settings.allow_private_network && this.options.allowPrivateNetworks;
    if (settings.allow_private_network && !this.options.allowPrivateNetworks) {
      throw new InvalidInput('allow_private_network: this server does not let judges reach private addresses (the operator sets WARDEN_JUDGE_ALLOW_PRIVATE=1).', 'allow_private_network', 'private_network_not_allowed');
    }
    const protocols = privateAllowed ? ['https:', 'http:'] : ['https:'];
    if (!protocols.includes(url.protocol)) throw new InvalidInput(`base_url: must use ${protocols.join(' or ')}`, 'base_url');
    if (url.username || url.password) throw new InvalidInput('base_url: must not carry credentials; give api_key or api_key_env', 'base_url');
    if (url.hash || url.search) throw new InvalidInput('base_url: must not have a query or #fragment', 'base_url');
    const refused = privateAllowed ? null : await refusedHost(url.hostname, this.options.resolve);
    if (refused) throw new InvalidInput(`base_url: ${refused}; a judge on a private network needs allow_private_network: true`, 'base_url');
  }

  private async loadActive(tenantId: string): Promise<StoredJudge | null> {
    const row = await this.store.db.selectFrom('judges').selectAll().where('tenant_id', '=', tenantId).where('enabled', '=', 1).executeTakeFirst();
    return row ? this.toStored(row) : null;
  }

  private toStored(row: JudgeRow): StoredJudge {
    const settings = judgeSettingsSchema.parse(JSON.parse(row.config));
    const context = keyContext(row.tenant_id, row.name);
    const sealed = row.api_key_ciphertext;
    const env = row.api_key_env;
    const opened = sealed ? this.secrets.open(sealed, context) : null;
    return {
      id: row.id,
      tenantId: row.tenant_id,
      name: row.name,
      settings,
      updatedAt: row.updated_at,
      apiKey: () => {
        if (sealed) return opened === null ? { ok: false, message: 'the stored API key cannot be decrypted (WARDEN_SECRET_KEY missing or changed)' } : { ok: true, key: opened };
        if (env) return process.env[env] ? { ok: true, key: process.env[env]! } : { ok: false, message: `the environment variable ${env} is not set` };
        return { ok: true, key: null };
      },
    };
  }
}

/** Ties a ciphertext to its row. */
function keyContext(tenantId: string, name: string): string {
  return `judge:${tenantId}:${name}`;
}

function view(row: JudgeRow): JudgeView {
  const settings = judgeSettingsSchema.parse(JSON.parse(row.config));
  return {
    object: 'judge',
    id: row.id,
    name: row.name,
    ...settings,
    api_key: { source: row.api_key_ciphertext ? 'encrypted' : row.api_key_env ? 'env' : 'none', env: row.api_key_env },
    template_version: TEMPLATE_VERSION,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

function auditPayload(row: JudgeRow, settings: JudgeSettings) {
  return { id: row.id, settings, api_key: row.api_key_ciphertext ? 'encrypted' : row.api_key_env ? `env:${row.api_key_env}` : 'none' };
}
