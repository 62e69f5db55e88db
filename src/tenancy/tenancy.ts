import type { AuditLog } from '../audit/index.ts';
import { type Clock, Conflict, Hooks, InvalidInput, NotFound, type PageRequest, newId } from '../common/index.ts';
import { type Store, type TenantRow, type Tx, afterKey, isUniqueViolation, withTransaction } from '../db/index.ts';
import { MIN_KEY_LENGTH, type Role, ROLES, generateKey, hashKey, keyDigest, keyLookup, keyMatches, lookupOf, newSalt } from './keys.ts';

export const DEFAULT_TENANT = 'default';
const TENANT_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Who is calling: resolved from an API key on every request. */
export interface Principal {
  keyId: string;
  tenantId: string;
  tenantName: string;
  role: Role;
}

export interface CreatedKey {
  id: string;
  /** The secret, shown once: only its hash is stored. */
  key: string;
  tenant: string;
  tenantId: string;
  role: Role;
}

export interface KeySummary {
  id: string;
  role: Role;
  label: string | null;
  created_at: string;
  revoked_at: string | null;
}

/** A key as authentication needs it: who it stands for, and what its secret must hash to. */
interface VerifiableKey {
  principal: Principal;
  salt: string;
  hash: string;
}

export class Tenancy {
  /** Run in the transaction that creates a tenant, e.g. to give it the bundled policy. */
  readonly created = new Hooks<[tx: Tx, tenant: TenantRow]>();
  /** Keys found by their lookup digest (never the secret), so a request reads no database; dropped on any change. */
  private readonly keys = new Map<string, Promise<VerifiableKey | null>>();
  /**
   * Keys whose secret has been verified (HMAC, constant-time compare) once, by the full sha256 of the
   * secret: a request presenting the same secret again pays one hash, not an HMAC. Only verified keys
   * enter, so the map is as large as the set of live keys in use; dropped with `keys`.
   */
  private readonly verified = new Map<string, Principal>();
  /** Tenants never change once created. */
  private readonly tenants = new Map<string, TenantRow>();

  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {
    store.changes.changed.subscribe(() => this.forgetKeys());
  }

  async findTenant(name: string): Promise<TenantRow | undefined> {
    return this.store.db.selectFrom('tenants').selectAll().where('name', '=', name).executeTakeFirst();
  }

  async tenantById(id: string): Promise<TenantRow | undefined> {
    const cached = this.tenants.get(id);
    if (cached) return cached;
    const row = await this.store.db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
    if (row) this.tenants.set(id, row);
    return row;
  }

  async listTenants(): Promise<TenantRow[]> {
    return this.store.db.selectFrom('tenants').selectAll().orderBy('created_at').execute();
  }

  /** Returns the tenant, creating it (and running the creation hooks) when it does not exist. */
  async ensureTenant(name: string, actor: string): Promise<TenantRow> {
    assertTenantName(name);
    const existing = await this.findTenant(name);
    if (existing) return existing;
    try {
      return await this.store.db.transaction().execute((tx) => this.insertTenant(tx, name, actor));
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const raced = await this.findTenant(name);
      if (!raced) throw error;
      return raced;
    }
  }

  private async insertTenant(tx: Tx, name: string, actor: string): Promise<TenantRow> {
    const tenant: TenantRow = { id: newId('ten'), name, created_at: this.clock.now().toISOString() };
    await tx.insertInto('tenants').values(tenant).execute();
    await this.audit.append(tx, { tenantId: tenant.id, actor, action: 'tenant.created', target: tenant.id, payload: { name } });
    await this.created.run(tx, tenant);
    return tenant;
  }

  /** Creates a key for an existing tenant. `secret` lets an operator bring their own (WARDEN_ADMIN_KEY). */
  async createKey(input: { tenant: TenantRow; role: Role; actor: string; label?: string | null; secret?: string }): Promise<CreatedKey> {
    assertRole(input.role);
    const key = input.secret ?? generateKey();
    if (key.length < MIN_KEY_LENGTH) throw new InvalidInput(`An API key must be at least ${MIN_KEY_LENGTH} characters.`, 'key');
    const salt = newSalt();
    const id = newId('key');
    try {
      await this.store.db.transaction().execute(async (tx) => {
        await tx
          .insertInto('api_keys')
          .values({
            id,
            tenant_id: input.tenant.id,
            role: input.role,
            lookup: keyLookup(key),
            salt,
            hash: hashKey(key, salt),
            label: input.label ?? null,
            created_at: this.clock.now().toISOString(),
            revoked_at: null,
          })
          .execute();
        await this.audit.append(tx, {
          tenantId: input.tenant.id,
          actor: input.actor,
          action: 'key.created',
          target: id,
          payload: { role: input.role, label: input.label ?? null },
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new Conflict('That key is already registered.', 'key');
      throw error;
    }
    return { id, key, tenant: input.tenant.name, tenantId: input.tenant.id, role: input.role };
  }

  /** The tenant's keys, oldest first: all of them, or a page (cursor: created_at, id). */
  async listKeys(tenantId: string, page: PageRequest = { limit: Number.MAX_SAFE_INTEGER }): Promise<KeySummary[]> {
    let query = this.store.db
      .selectFrom('api_keys')
      .select(['id', 'role', 'label', 'created_at', 'revoked_at'])
      .where('tenant_id', '=', tenantId);
    if (page.after) query = query.where(afterKey(['created_at', 'id'], page.after));
    const rows = await query.orderBy('created_at').orderBy('id').limit(page.limit).execute();
    return rows.map((row) => ({ ...row, role: row.role as Role }));
  }

  /** Revokes a key: refused at once by this process, and within a poll of the change feed by every other. */
  async revokeKey(tenantId: string, keyId: string, actor: string): Promise<KeySummary> {
    return withTransaction(this.store, async (tx) => {
      const row = await tx
        .selectFrom('api_keys')
        .select(['id', 'role', 'label', 'created_at', 'revoked_at'])
        .where('id', '=', keyId)
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst();
      if (!row) throw new NotFound(`API key ${keyId}`, 'id');
      if (row.revoked_at) return { ...row, role: row.role as Role };
      const revokedAt = this.clock.now().toISOString();
      await tx.updateTable('api_keys').set({ revoked_at: revokedAt }).where('id', '=', keyId).execute();
      await this.audit.append(tx, { tenantId, actor, action: 'key.revoked', target: keyId, payload: {} });
      await this.store.changes.record(tx, tenantId);
      return { ...row, role: row.role as Role, revoked_at: revokedAt };
    });
  }

  /**
   * The caller behind a key, or null for an unknown or revoked key. The key's row is cached by its
   * lookup digest; the secret is checked against the stored salted hash in constant time on every call.
   */
  /** The principal of a key verified before and not changed since, without waiting; undefined when it must be looked up. */
  verifiedPrincipal(key: string): Principal | undefined {
    return this.verified.get(keyDigest(key));
  }

  async authenticate(key: string): Promise<Principal | null> {
    const digest = keyDigest(key);
    const known = this.verified.get(digest);
    if (known) return known;
    const lookup = lookupOf(digest);
    let found = this.keys.get(lookup);
    if (!found) {
      found = this.findKey(lookup);
      this.keys.set(lookup, found);
      // Unknown keys and failed reads are not kept: the cache holds only keys that exist.
      const settled = found;
      found.then(
        (verifiable) => verifiable === null && this.keys.get(lookup) === settled && this.keys.delete(lookup),
        () => this.keys.get(lookup) === settled && this.keys.delete(lookup),
      );
    }
    const verifiable = await found;
    if (!verifiable || !keyMatches(key, verifiable.salt, verifiable.hash)) return null;
    // Kept only while the entry it was verified against is still the current one (no change came in between).
    if (this.keys.get(lookup) === found) this.verified.set(digest, verifiable.principal);
    return verifiable.principal;
  }

  private async findKey(lookup: string): Promise<VerifiableKey | null> {
    const row = await this.store.db
      .selectFrom('api_keys')
      .innerJoin('tenants', 'tenants.id', 'api_keys.tenant_id')
      .select(['api_keys.id', 'api_keys.role', 'api_keys.salt', 'api_keys.hash', 'api_keys.revoked_at', 'tenants.id as tenant_id', 'tenants.name as tenant_name'])
      .where('api_keys.lookup', '=', lookup)
      .executeTakeFirst();
    if (!row || row.revoked_at) return null;
    return { principal: { keyId: row.id, tenantId: row.tenant_id, tenantName: row.tenant_name, role: row.role as Role }, salt: row.salt, hash: row.hash };
  }

  /** Any tenant's change may be a revocation; keys are re-read once after it (changes are rare, keys few). */
  private forgetKeys(): void {
    this.keys.clear();
    this.verified.clear();
  }

  /**
   * First start: with no tenant at all, creates `default` and its admin key.
   * Returns the key's secret only when it was generated here (it must be shown once).
   */
  async bootstrap(adminKey?: string): Promise<{ created: false } | { created: true; generatedKey: string | null }> {
    const anyTenant = await this.store.db.selectFrom('tenants').select('id').limit(1).executeTakeFirst();
    if (anyTenant) return { created: false };
    const tenant = await this.ensureTenant(DEFAULT_TENANT, 'system');
    const created = await this.createKey({ tenant, role: 'admin', actor: 'system', label: 'bootstrap admin', secret: adminKey });
    return { created: true, generatedKey: adminKey ? null : created.key };
  }
}

export function assertRole(role: string): asserts role is Role {
  if (!(ROLES as readonly string[]).includes(role)) {
    throw new InvalidInput(`Unknown role "${role}": use one of ${ROLES.join(', ')}.`, 'role');
  }
}

export function assertTenantName(name: string): void {
  if (!TENANT_NAME.test(name)) {
    throw new InvalidInput('A tenant name is 1–63 characters of a-z, 0-9, "_" or "-", starting with a letter or digit.', 'tenant');
  }
}
